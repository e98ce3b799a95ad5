using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Telecable.Application.Facturacion;
using Telecable.Domain.Comun;

namespace Telecable.Functions.Http.Facturacion;

/// <summary>Credit notes (CFDI type E) of an invoice: issue (admin, cobranzas), list and download (and a cliente their own).</summary>
public sealed class NotasCreditoFunciones(Api api, IServicioNotasCredito notas)
{
    private static readonly Permiso Cobranza = Permiso.Para(Roles.Admin, Roles.Cobranzas);
    private static readonly Permiso ConCliente = Permiso.Para(Roles.Admin, Roles.Cobranzas, Roles.Cliente);

    /// <summary>POST /api/facturacion/{uuid}/notas-credito {monto | lineas: [{linea, importe}], motivo, tipoRelacion?} (admin, cobranzas;
    /// Idempotency-Key): 201 with the stamped note; 202 when it is sealed but the PAC is unavailable (503 is never stored
    /// under the key, so repeating the request with the same key stamps that same note); 409 excede_saldo, estado_invalido.</summary>
    [Function(nameof(EmitirNotaCredito))]
    public Task<IActionResult> EmitirNotaCredito(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "facturacion/{uuid}/notas-credito")] HttpRequest req, string uuid) =>
        api.EjecutarIdempotenteAsync(req, Cobranza, async l =>
        {
            var factura = Peticion.Uuid(uuid, "uuid");
            var s = await l.LeerAsync<SolicitudNotaCredito>();
            var clave = l.ClaveIdempotencia;
            var r = await notas.EmitirAsync(factura, s, new ContextoNotaCredito(clave, ContextoNotaCredito.Manual, l.UsuarioAutenticado.Sujeto, l.Cid), l.Ct);
            if (r.PacNoDisponible)
                return Respuestas.PacNoDisponible(
                    $"La nota de crédito {r.Nota.Serie}-{r.Nota.Folio} quedó sellada; repita la solicitud con la misma Idempotency-Key para timbrarla.", l.Cid, req.Path);
            return r.Nota.Uuid is { } u
                ? Respuestas.Creado($"/api/facturacion/notas-credito/{u}/xml", r.Nota)
                : Respuestas.Ok(r.Nota);
        });

    /// <summary>GET /api/facturacion/{uuid}/notas-credito?pagina=&amp;tamano=: the invoice's credit notes (a cliente only of their own invoices, 404 otherwise).</summary>
    [Function(nameof(NotasCreditoDeFactura))]
    public Task<IActionResult> NotasCreditoDeFactura(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "facturacion/{uuid}/notas-credito")] HttpRequest req, string uuid) =>
        api.EjecutarAsync(req, ConCliente, async l => Respuestas.Ok(await notas.DeFacturaAsync(l.UsuarioAutenticado, Peticion.Uuid(uuid, "uuid"), l.Paginacion(), l.Ct)));

    /// <summary>GET /api/facturacion/notas-credito/{uuid}/xml: the stamped CFDI E.</summary>
    [Function(nameof(XmlNotaCredito))]
    public Task<IActionResult> XmlNotaCredito(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "facturacion/notas-credito/{uuid}/xml")] HttpRequest req, string uuid) =>
        api.EjecutarAsync(req, ConCliente, async l =>
        {
            var u = Peticion.Uuid(uuid, "uuid");
            return Respuestas.CfdiXml(await notas.XmlAsync(l.UsuarioAutenticado, u, l.Ct), u);
        });

    /// <summary>GET /api/facturacion/notas-credito/{uuid}/representacion: printable HTML with SAT's verification QR.</summary>
    [Function(nameof(RepresentacionNotaCredito))]
    public Task<IActionResult> RepresentacionNotaCredito(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "facturacion/notas-credito/{uuid}/representacion")] HttpRequest req, string uuid) =>
        api.EjecutarAsync(req, ConCliente, async l =>
            Respuestas.Imprimible(await notas.RepresentacionAsync(l.UsuarioAutenticado, Peticion.Uuid(uuid, "uuid"), l.Ct)));
}
