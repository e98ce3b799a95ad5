using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Telecable.Domain.Comun;
using Telecable.Domain.Routers;
using Telecable.Infrastructure.Routers;

namespace Telecable.Functions.Http.Routers;

/// <summary>Router telemetry, state and remote commands (docs/routers.md).</summary>
public sealed class RoutersFunciones(Api api, AutenticadorRouters dispositivos, IngestaTelemetria ingesta, ServicioRouters routers)
{
    private static readonly Permiso VerEstado = Permiso.Para(Roles.Admin, Roles.Soporte, Roles.Cliente);
    private static readonly Permiso Soporte = Permiso.Para(Roles.Admin, Roles.Soporte);

    /// <summary>POST /api/router/status (device: X-Router-Auth serial:key). Answers the pending commands.</summary>
    [Function(nameof(ReportarEstadoRouter))]
    public Task<IActionResult> ReportarEstadoRouter(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "router/status")] HttpRequest req) =>
        api.EjecutarAsync(req, Permiso.Firmada, async l =>
        {
            var router = await dispositivos.AutenticarAsync(req.Headers[AutenticadorRouters.Encabezado].ToString(), l.Ct);
            if (router is null) return DispositivoNoAutenticado(l);
            var reporte = await l.LeerAsync<ReporteRouter>();
            return Respuestas.Ok(await ingesta.RegistrarAsync(router, reporte, req.HttpContext.Connection.RemoteIpAddress, l.Cid, l.Ct));
        });

    /// <summary>POST /api/router/{routerId}/comandos/{comandoId}/ack (device auth). Body optional: { "exito": false, "detalle": "..." }.</summary>
    [Function(nameof(ConfirmarComandoRouter))]
    public Task<IActionResult> ConfirmarComandoRouter(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "router/{routerId:guid}/comandos/{comandoId:guid}/ack")] HttpRequest req,
        Guid routerId, Guid comandoId) =>
        api.EjecutarAsync(req, Permiso.Firmada, async l =>
        {
            var router = await dispositivos.AutenticarAsync(req.Headers[AutenticadorRouters.Encabezado].ToString(), l.Ct);
            if (router is null || router.Id != routerId) return DispositivoNoAutenticado(l);
            var cuerpo = (await l.CuerpoAsync()).Length == 0 ? new ConfirmacionComando(true, null) : await l.LeerAsync<ConfirmacionComando>();
            return Respuestas.Ok(await routers.ConfirmarAsync(routerId, comandoId, cuerpo.Exito ?? true, cuerpo.Detalle, l.Ct));
        });

    /// <summary>GET /api/router/status/{routerId} (admin, soporte, or the owning cliente; others 404).</summary>
    [Function(nameof(ObtenerEstadoRouter))]
    public Task<IActionResult> ObtenerEstadoRouter(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "router/status/{routerId:guid}")] HttpRequest req, Guid routerId) =>
        api.EjecutarAsync(req, VerEstado, async l => Respuestas.Ok(await routers.ObtenerAsync(routerId, l.UsuarioAutenticado, l.Ct)));

    /// <summary>GET /api/router/flota?zona=&amp;estado=&amp;pagina=&amp;tamano= (admin, soporte).</summary>
    [Function(nameof(ObtenerFlotaRouters))]
    public Task<IActionResult> ObtenerFlotaRouters(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "router/flota")] HttpRequest req) =>
        api.EjecutarAsync(req, Soporte, async l => Respuestas.Ok(await routers.FlotaAsync(
            NuloSiVacio(l.Query("zona")), NuloSiVacio(l.Query("estado")), l.QueryEntero("pagina", 1, 1, 100_000), l.QueryEntero("tamano", 100, 1, 1000), l.Ct)));

    /// <summary>POST /api/router/{routerId}/reset (admin, soporte; Idempotency-Key). 202 with the command to follow.</summary>
    [Function(nameof(ReiniciarRouter))]
    public Task<IActionResult> ReiniciarRouter(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "router/{routerId:guid}/reset")] HttpRequest req, Guid routerId) =>
        api.EjecutarIdempotenteAsync(req, Soporte, async l =>
        {
            var c = await routers.SolicitarReinicioAsync(routerId, l.UsuarioAutenticado, l.Cid, l.Ct);
            return Respuestas.Aceptado($"/api/router/status/{routerId}", c);
        });

    private static RespuestaJson DispositivoNoAutenticado(Llamada l) =>
        Respuestas.Problema(401, "No autenticado", $"El router debe enviar {AutenticadorRouters.Encabezado}: <serial>:<clave> válidos.",
            l.Cid, l.Solicitud.Path).Con("WWW-Authenticate", "Router");

    private static string? NuloSiVacio(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;
}

public sealed record ConfirmacionComando(bool? Exito, string? Detalle);
