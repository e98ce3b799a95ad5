using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Telecable.Functions.Sagas;
using Telecable.Domain.Comun;
using Telecable.Infrastructure.AltasYTickets;
using Telecable.Orchestrations.AltaCliente;

namespace Telecable.Functions.Http.AltasYTickets;

/// <summary>
/// Customer onboarding: POST /api/altas starts the AltaCliente saga (public sign-up from the customer
/// portal, or staff); GET /api/altas/{id} reads each step's state. The instance id is derived from the
/// caller and the Idempotency-Key, so a repeated request never starts a second saga, and it is not
/// guessable without the key (so the status endpoint can be public).
/// </summary>
public sealed class AltasFunciones(Api api, ServicioAltas altas)
{
    /// <summary>POST /api/altas (public or any role; Idempotency-Key) → 202 {id, estado}, Location /api/altas/{id}.</summary>
    [Function(nameof(IniciarAlta))]
    public Task<IActionResult> IniciarAlta(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "altas")] HttpRequest req,
        [DurableClient] DurableTaskClient durable) =>
        api.EjecutarIdempotenteAsync(req, Permiso.Publica, async l =>
        {
            var s = await l.LeerAsync<SolicitudAlta>();
            ServicioAltas.Validar(s);
            var id = ServicioAltas.IdPara(req.Headers[Api.EncabezadoIdempotencia].ToString(), l.Usuario?.Sujeto);
            await altas.RegistrarAsync(id, s, l.Usuario, l.Cid, l.Ct);
            // Once the alta is recorded its saga must start even if the caller hangs up now: cancelling here
            // left the alta en_curso with no saga (seen in bench/AltaCarga.sh when clients disconnect).
            await durable.IniciarUnaVezAsync(nameof(AltaClienteOrquestacion), new EntradaAlta(id, l.Cid), id, CancellationToken.None);
            return Respuestas.Aceptado($"/api/altas/{id}", new { id, estado = "en_curso" });
        });

    /// <summary>GET /api/altas/{id} (public: the id is the capability) → the saga record with its steps and compensations.</summary>
    [Function(nameof(ConsultarAlta))]
    public Task<IActionResult> ConsultarAlta(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "altas/{id}")] HttpRequest req, string id) =>
        api.EjecutarAsync(req, Permiso.Publica, async l =>
            Respuestas.Ok(await altas.ObtenerAsync(id, l.Ct) ?? throw new ErrorNoEncontrado("alta", id)));
}
