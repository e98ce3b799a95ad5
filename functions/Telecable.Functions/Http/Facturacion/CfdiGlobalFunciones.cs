using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Telecable.Application.Facturacion;
using Telecable.Domain.Comun;
using Telecable.Domain.Facturacion;

namespace Telecable.Functions.Http.Facturacion;

/// <summary>The month's global CFDI to "PUBLICO EN GENERAL" (admin, cobranzas) and the receipts it covers (also soporte, and a
/// cliente their own).</summary>
public sealed class CfdiGlobalFunciones(Api api, IServicioCfdiGlobal globales)
{
    private static readonly Permiso Cobranza = Permiso.Para(Roles.Admin, Roles.Cobranzas);
    private static readonly Permiso Lectores = Permiso.Para(Roles.Admin, Roles.Cobranzas, Roles.Soporte, Roles.Cliente);

    /// <summary>POST /api/facturacion/globales {"periodo":"yyyy-MM"} (Idempotency-Key): 201 the stamped global CFDI of a closed
    /// month; 200 when the period already had it (never a second one); 503 pac_no_disponible (sealed: repeating stamps that same
    /// CFDI); 400 periodo (format, or the month has not closed); 409 sin_recibos; 422 when the PAC rejects it.</summary>
    [Function(nameof(EmitirCfdiGlobal))]
    public Task<IActionResult> EmitirCfdiGlobal(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "facturacion/globales")] HttpRequest req) =>
        api.EjecutarIdempotenteAsync(req, Cobranza, async l =>
        {
            var s = await l.LeerAsync<SolicitudCfdiGlobal>();
            if (!Periodo.TryParse(s.Periodo, out var periodo)) throw new ErrorValidacion("periodo", "Debe ser un mes yyyy-MM (2020 a 2100).");
            var r = await globales.EmitirAsync(periodo, l.UsuarioAutenticado.Sujeto, l.Cid, l.Ct);
            if (r.PacNoDisponible)
                return Respuestas.PacNoDisponible(
                    $"El CFDI global {r.Cfdi.Serie}-{r.Cfdi.Folio} quedó sellado; repita la solicitud para timbrarlo (el mismo CFDI).", l.Cid, req.Path);
            return r.Creado && r.Cfdi.Uuid is { } u ? Respuestas.Creado($"/api/facturacion/globales/{u}/xml", r.Cfdi) : Respuestas.Ok(r.Cfdi);
        });

    /// <summary>GET /api/facturacion/globales?pagina=1&amp;tamano=20: the global CFDIs, newest period first.</summary>
    [Function(nameof(CfdiGlobales))]
    public Task<IActionResult> CfdiGlobales(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "facturacion/globales")] HttpRequest req) =>
        api.EjecutarAsync(req, Cobranza, async l =>
            Respuestas.Ok(await globales.ListarAsync(l.QueryEntero("pagina", 1, 1, 10000), l.QueryEntero("tamano", 20, 1, 100), l.Ct)));

    /// <summary>GET /api/facturacion/globales/{uuid}/xml: the stamped global CFDI.</summary>
    [Function(nameof(XmlCfdiGlobal))]
    public Task<IActionResult> XmlCfdiGlobal(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "facturacion/globales/{uuid}/xml")] HttpRequest req, string uuid) =>
        api.EjecutarAsync(req, Cobranza, async l =>
        {
            var u = Peticion.Uuid(uuid, "uuid");
            return Respuestas.CfdiXml(await globales.XmlAsync(u, l.Ct), u);
        });

    /// <summary>GET /api/facturacion/globales/{uuid}/representacion: printable HTML with SAT's verification QR.</summary>
    [Function(nameof(RepresentacionCfdiGlobal))]
    public Task<IActionResult> RepresentacionCfdiGlobal(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "facturacion/globales/{uuid}/representacion")] HttpRequest req, string uuid) =>
        api.EjecutarAsync(req, Cobranza, async l =>
            Respuestas.Imprimible(await globales.RepresentacionAsync(Peticion.Uuid(uuid, "uuid"), l.Ct)));

    /// <summary>GET /api/facturacion/recibos?clienteId=&amp;periodo=yyyy-MM&amp;pagina=&amp;tamano=: receipts of customers without an RFC,
    /// newest first (a cliente always gets their own).</summary>
    [Function(nameof(Recibos))]
    public Task<IActionResult> Recibos(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "facturacion/recibos")] HttpRequest req) =>
        api.EjecutarAsync(req, Lectores, async l =>
        {
            var cliente = Peticion.UuidOpcional(l.Query("clienteId"), "clienteId");
            DateOnly? periodo = l.Query("periodo") is { Length: > 0 } p
                ? Periodo.TryParse(p, out var d) ? d : throw new ErrorValidacion("periodo", "Debe ser un mes yyyy-MM.")
                : null;
            return Respuestas.Ok(await globales.RecibosAsync(l.UsuarioAutenticado, cliente, periodo, l.QueryEntero("pagina", 1, 1, 10000),
                l.QueryEntero("tamano", 20, 1, 100), l.Ct));
        });

    /// <summary>GET /api/facturacion/recibos/{id}/representacion: the printable receipt (HTML; 404 for another customer's).</summary>
    [Function(nameof(RepresentacionRecibo))]
    public Task<IActionResult> RepresentacionRecibo(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "facturacion/recibos/{id}/representacion")] HttpRequest req, string id) =>
        api.EjecutarAsync(req, Lectores, async l => new RespuestaJson(StatusCodes.Status200OK,
            await globales.ReciboImprimibleAsync(l.UsuarioAutenticado, Peticion.Uuid(id, "id"), l.Ct), "text/html; charset=utf-8"));
}

/// <summary>POST /api/facturacion/globales: the month to cover, yyyy-MM.</summary>
public sealed record SolicitudCfdiGlobal(string? Periodo);
