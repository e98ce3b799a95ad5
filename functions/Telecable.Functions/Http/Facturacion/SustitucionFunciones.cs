using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Telecable.Domain.Comun;
using Telecable.Infrastructure.Facturacion;

namespace Telecable.Functions.Http.Facturacion;

/// <summary>Substitution of an invoice issued with errors (cancellation motive 01), admin and cobranzas.</summary>
public sealed class SustitucionFunciones(Api api, ServicioSustitucion sustitucion)
{
    private static readonly Permiso Cobranza = Permiso.Para(Roles.Admin, Roles.Cobranzas);

    /// <summary>POST /api/facturacion/{uuid}/sustitucion {nombre?, regimenFiscal?, codigoPostal?, usoCfdi?} (Idempotency-Key):
    /// issues and stamps the substitute (TipoRelacion 04), then cancels the original with motive 01 naming it. 201 with the
    /// substitute; Location is its XML. Repeating it (any key) resumes the same substitute, never a second one.</summary>
    [Function(nameof(SustituirFactura))]
    public Task<IActionResult> SustituirFactura(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "facturacion/{uuid}/sustitucion")] HttpRequest req, string uuid) =>
        api.EjecutarIdempotenteAsync(req, Cobranza, async l =>
        {
            var original = Peticion.Uuid(uuid);
            var s = (await l.CuerpoAsync()).Length > 0 ? await l.LeerAsync<SolicitudSustitucion>() : new SolicitudSustitucion(null, null, null, null);
            var r = await sustitucion.SustituirAsync(original, s, l.UsuarioAutenticado.Sujeto, l.Cid, l.Ct);
            return Respuestas.Creado($"/api/facturacion/{r.Sustituto}/xml", r);
        });
}
