using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Telecable.Domain.Comun;
using Telecable.Infrastructure.Facturacion;

namespace Telecable.Functions.Http.Facturacion;

public sealed record SolicitudRespuestaReceptor(bool? Acepta);

/// <summary>The emulated PAC's receptor (PAC_MODE=emulated, the only PAC this project ships), admin only.</summary>
public sealed class PacEmuladoFunciones(Api api, ReceptorEmulado receptor)
{
    private static readonly Permiso Admin = Permiso.Para(Roles.Admin);

    /// <summary>POST /api/pac-emulado/cancelaciones/{uuid}/respuesta {acepta: true|false} (Idempotency-Key): the receptor
    /// accepts or rejects a cancellation waiting for them (cancelacion_pendiente); the invoice ends cancelada, or back to
    /// timbrada, in the same call. 200 {uuid, respuesta, estadoFactura}; 400 uuid, acepta; 404 nothing waiting for that
    /// UUID; 409 ya_respondida (the other answer was given).</summary>
    [Function(nameof(ResponderCancelacionReceptor))]
    public Task<IActionResult> ResponderCancelacionReceptor(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "pac-emulado/cancelaciones/{uuid}/respuesta")] HttpRequest req, string uuid) =>
        api.EjecutarIdempotenteAsync(req, Admin, async l =>
        {
            var u = Peticion.Uuid(uuid);
            var s = await l.LeerAsync<SolicitudRespuestaReceptor>();
            var acepta = s.Acepta ?? throw new ErrorValidacion("acepta", "Obligatorio: true (acepta la cancelación) o false (la rechaza).");
            return Respuestas.Ok(await receptor.ResponderAsync(u, acepta, l.Cid, l.Ct));
        });
}
