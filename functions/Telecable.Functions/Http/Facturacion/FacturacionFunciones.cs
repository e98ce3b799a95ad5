using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Telecable.Functions.Sagas;
using Telecable.Domain.Comun;
using Telecable.Domain.Facturacion;
using Telecable.Infrastructure.Facturacion;
using Telecable.Functions.Http.Pagos;
using Telecable.Infrastructure.Pagos;
using Telecable.Orchestrations.TimbradoMasivo;

namespace Telecable.Functions.Http.Facturacion;

public sealed record SolicitudCorrida(string? Periodo);

/// <summary>Billing runs (admin, cobranzas) and invoices (admin, cobranzas; a cliente only their own).</summary>
public sealed class FacturacionFunciones(Api api, ServicioCorridas corridas, ServicioFacturas facturas, ServicioPagos pagos)
{
    private static readonly Permiso Cobranza = Permiso.Para(Roles.Admin, Roles.Cobranzas);
    private static readonly Permiso ConCliente = Permiso.Para(Roles.Admin, Roles.Cobranzas, Roles.Cliente);

    /// <summary>POST /api/facturacion/corridas {periodo: "yyyy-MM"} (admin, cobranzas; Idempotency-Key): 202 with the run id.</summary>
    [Function(nameof(CrearCorrida))]
    public Task<IActionResult> CrearCorrida(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "facturacion/corridas")] HttpRequest req,
        [DurableClient] DurableTaskClient durable) =>
        api.EjecutarIdempotenteAsync(req, Cobranza, async l =>
        {
            var s = await l.LeerAsync<SolicitudCorrida>();
            if (!Periodo.TryParse(s.Periodo, out var periodo)) throw new ErrorValidacion("periodo", "Debe ser un mes yyyy-MM (por ejemplo 2026-12).");
            var c = await IniciadorCorridas.IniciarAsync(corridas, durable, periodo, l.UsuarioAutenticado.Sujeto, l.Cid, l.Ct);
            return Respuestas.Aceptado($"/api/facturacion/corridas/{c.Id}", new { id = c.Id, periodo = Periodo.Texto(periodo), c.Estado, c.InstanceId });
        });

    /// <summary>GET /api/facturacion/corridas?periodo=yyyy-MM&amp;estado=&amp;pagina=1&amp;tamano=20 (admin, cobranzas): runs,
    /// newest first, each with its progress, errors by code and, when fallida, its cause.</summary>
    [Function(nameof(ListarCorridas))]
    public Task<IActionResult> ListarCorridas(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "facturacion/corridas")] HttpRequest req) =>
        api.EjecutarAsync(req, Cobranza, async l =>
        {
            DateOnly? periodo = l.Query("periodo") is { Length: > 0 } p
                ? Periodo.TryParse(p, out var d) ? d : throw new ErrorValidacion("periodo", "Debe ser un mes yyyy-MM (por ejemplo 2026-12).")
                : null;
            var estado = l.Query("estado") is { Length: > 0 } e
                ? EstadosCorrida.Todos.Contains(e) ? e : throw new ErrorValidacion("estado", $"Debe ser uno de: {string.Join(", ", EstadosCorrida.Todos)}.")
                : null;
            return Respuestas.Ok(await corridas.ListarAsync(periodo, estado, l.Paginacion(), l.Ct));
        });

    /// <summary>GET /api/facturacion/corridas/{id}: progress (total, timbradas, fallidas, pendientes, errores por código, estado).</summary>
    [Function(nameof(ConsultarCorrida))]
    public Task<IActionResult> ConsultarCorrida(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "facturacion/corridas/{id}")] HttpRequest req, string id) =>
        api.EjecutarAsync(req, Cobranza, async l =>
        {
            var corrida = Peticion.Uuid(id, "id");
            return Respuestas.Ok(await corridas.ProgresoAsync(corrida, l.Ct) ?? throw new ErrorNoEncontrado("corrida", id));
        });

    /// <summary>POST /api/facturacion/corridas/{id}/reintentar (admin, cobranzas; Idempotency-Key): stamps the failed invoices again.</summary>
    [Function(nameof(ReintentarCorrida))]
    public Task<IActionResult> ReintentarCorrida(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "facturacion/corridas/{id}/reintentar")] HttpRequest req, string id,
        [DurableClient] DurableTaskClient durable) =>
        api.EjecutarIdempotenteAsync(req, Cobranza, async l =>
        {
            var c = await corridas.ReintentarAsync(Peticion.Uuid(id, "id"), l.Ct);
            await IniciadorCorridas.IniciarAsync(durable, c, l.Cid, l.Ct);
            return Respuestas.Aceptado($"/api/facturacion/corridas/{c.Id}", new { id = c.Id, c.Estado, c.InstanceId });
        });

    /// <summary>GET /api/facturacion/kpis?meses=12 (admin, cobranzas): billed, collected, overdue, by month.</summary>
    [Function(nameof(KpisFacturacion))]
    public Task<IActionResult> KpisFacturacion(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "facturacion/kpis")] HttpRequest req) =>
        api.EjecutarAsync(req, Cobranza, async l => Respuestas.Ok(await facturas.KpisAsync(l.QueryEntero("meses", 12, 1, 60), l.Ct)));

    /// <summary>GET /api/facturacion/ultimas?pagina=1&amp;tamano=20&amp;estado= (admin, cobranzas, cliente: own only).</summary>
    [Function(nameof(UltimasFacturas))]
    public Task<IActionResult> UltimasFacturas(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "facturacion/ultimas")] HttpRequest req) =>
        api.EjecutarAsync(req, ConCliente, async l => Respuestas.Ok(await facturas.UltimasAsync(
            l.UsuarioAutenticado, l.Paginacion(20, 200), l.Query("estado"), l.Ct)));

    /// <summary>PATCH /api/facturacion/{uuid}/pagar {metodo?, referencia?} (admin, cobranzas): pays the invoice's balance through
    /// the same path as POST /api/pagos (ProcesarPago: application, Pagos 2.0 complement for PPD) and answers once it is
    /// applied; idempotent (the same pagoId again).</summary>
    [Function(nameof(PagarFactura))]
    public Task<IActionResult> PagarFactura(
        [HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = "facturacion/{uuid}/pagar")] HttpRequest req, string uuid,
        [DurableClient] DurableTaskClient durable) =>
        api.EjecutarAsync(req, Cobranza, async l =>
        {
            var s = (await l.CuerpoAsync()).Length > 0 ? await l.LeerAsync<Telecable.Infrastructure.Facturacion.SolicitudPago>() : new(null, null);
            var p = await pagos.PagarFacturaAsync(Peticion.Uuid(uuid, "uuid"), s.Metodo, s.Referencia, l.UsuarioAutenticado.Sujeto, l.Cid, l.Ct);
            if (!p.Aplicado) await IniciadorPagos.IniciarYEsperarAsync(durable, p.PagoId, l.Cid, l.Ct);
            return Respuestas.Ok(new FacturaPagada(p.Uuid, await pagos.EstadoFacturaAsync(p.Uuid, l.Ct), p.PagoId, p.Monto));
        });

    /// <summary>POST /api/facturacion/{uuid}/cancelacion {motivo: 02-04} (admin, cobranzas; Idempotency-Key). Motive 01 is
    /// POST .../sustitucion. estado is cancelada, or cancelacion_pendiente when the receptor must accept it.</summary>
    [Function(nameof(CancelarFactura))]
    public Task<IActionResult> CancelarFactura(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "facturacion/{uuid}/cancelacion")] HttpRequest req, string uuid) =>
        api.EjecutarIdempotenteAsync(req, Cobranza, async l =>
        {
            var s = await l.LeerAsync<SolicitudCancelacion>();
            var r = await facturas.CancelarAsync(Peticion.Uuid(uuid, "uuid"), s, l.UsuarioAutenticado.Sujeto, l.Cid, l.Ct);
            return Respuestas.Ok(new
            {
                uuid = Peticion.Uuid(uuid, "uuid"), estado = r.EnProceso ? EstadosFactura.CancelacionPendiente : EstadosFactura.Cancelada, codigoPac = r.Codigo, mensaje = r.Mensaje,
            });
        });

    /// <summary>GET /api/facturacion/{uuid}/xml: the stamped CFDI.</summary>
    [Function(nameof(XmlFactura))]
    public Task<IActionResult> XmlFactura(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "facturacion/{uuid}/xml")] HttpRequest req, string uuid) =>
        api.EjecutarAsync(req, ConCliente, async l =>
        {
            var u = Peticion.Uuid(uuid, "uuid");
            return Respuestas.CfdiXml(await facturas.XmlAsync(l.UsuarioAutenticado, u, l.Ct), u);
        });

    /// <summary>GET /api/facturacion/{uuid}/representacion: printable HTML with SAT's verification QR.</summary>
    [Function(nameof(RepresentacionFactura))]
    public Task<IActionResult> RepresentacionFactura(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "facturacion/{uuid}/representacion")] HttpRequest req, string uuid) =>
        api.EjecutarAsync(req, ConCliente, async l =>
            Respuestas.Imprimible(await facturas.RepresentacionAsync(l.UsuarioAutenticado, Peticion.Uuid(uuid, "uuid"), l.Ct)));
}
