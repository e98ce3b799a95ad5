using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Telecable.Application.Facturacion;
using Telecable.Domain.Comun;

namespace Telecable.Functions.Http.Facturacion;

/// <summary>The invoice a customer asks for a receipt of theirs (issue 20): the customer themselves (only their own receipts: another's
/// is 404), admin or cobranzas.</summary>
public sealed class FacturaReciboFunciones(Api api, IServicioFacturaRecibo facturas)
{
    private static readonly Permiso Solicitantes = Permiso.Para(Roles.Admin, Roles.Cobranzas, Roles.Cliente);

    /// <summary>POST /api/facturacion/recibos/{id}/factura {rfc, nombre, regimenFiscal, usoCfdi, cpFiscal} (Idempotency-Key): 201 the
    /// stamped CFDI I of the receipt (the customer keeps these fiscal data from now on; the global CFDI leaves the receipt out);
    /// 503 pac_no_disponible (sealed: repeat with the same key to stamp that same CFDI); 400 naming the field; 404; 409
    /// recibo_en_cfdi_global, recibo_facturado, estado_invalido, rfc_duplicado; 422 when the PAC refuses it.</summary>
    [Function(nameof(FacturarRecibo))]
    public Task<IActionResult> FacturarRecibo(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "facturacion/recibos/{id}/factura")] HttpRequest req, string id) =>
        api.EjecutarIdempotenteAsync(req, Solicitantes, async l =>
        {
            var recibo = Peticion.Uuid(id, "id");
            var s = await l.LeerAsync<SolicitudFacturaRecibo>();
            var clave = l.ClaveIdempotencia;
            var r = await facturas.FacturarAsync(l.UsuarioAutenticado, recibo, s, clave, l.Cid, l.Ct);
            if (r.PacNoDisponible)
                return Respuestas.PacNoDisponible(
                    $"La factura {r.Factura.Serie}-{r.Factura.Folio} del recibo quedó sellada; repita la solicitud con la misma Idempotency-Key para timbrarla.", l.Cid, req.Path);
            return Respuestas.Creado($"/api/facturacion/recibos/{recibo}/factura/xml", r.Factura);
        });

    /// <summary>GET /api/facturacion/recibos/{id}/factura/xml: the stamped CFDI of the receipt (a cliente only their own).</summary>
    [Function(nameof(XmlFacturaRecibo))]
    public Task<IActionResult> XmlFacturaRecibo(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "facturacion/recibos/{id}/factura/xml")] HttpRequest req, string id) =>
        api.EjecutarAsync(req, Solicitantes, async l => new RespuestaJson(StatusCodes.Status200OK,
                await facturas.XmlAsync(l.UsuarioAutenticado, Peticion.Uuid(id, "id"), l.Ct), "application/xml; charset=utf-8")
            .Con("Content-Disposition", $"attachment; filename=\"factura-{id}.xml\""));

    /// <summary>GET /api/facturacion/recibos/{id}/factura/representacion: its printable copy with SAT's verification QR.</summary>
    [Function(nameof(RepresentacionFacturaRecibo))]
    public Task<IActionResult> RepresentacionFacturaRecibo(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "facturacion/recibos/{id}/factura/representacion")] HttpRequest req, string id) =>
        api.EjecutarAsync(req, Solicitantes, async l => new RespuestaJson(StatusCodes.Status200OK,
            await facturas.RepresentacionAsync(l.UsuarioAutenticado, Peticion.Uuid(id, "id"), l.Ct), "text/html; charset=utf-8"));
}
