using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Telecable.Functions.Sagas;
using Telecable.Application.Pagos;
using Telecable.Domain.Comun;
using Telecable.Infrastructure.Pagos;
using Telecable.Orchestrations.ProcesarPago;

namespace Telecable.Functions.Http.Pagos;

/// <summary>Payments taken by staff, gateway webhooks, what is owed, and reconciliation runs (issue 5).</summary>
public sealed class PagosFunciones(Api api, ServicioPagos pagos, ServicioWebhooks webhooks, ServicioConciliacion conciliacion, ServicioComplementos complementos,
    ServicioReferenciasEfectivo referencias, ServicioEstadosDeCuenta estados, ServicioReversos reversos)
{
    private static readonly Permiso Cobranzas = Permiso.Para(Roles.Admin, Roles.Cobranzas);
    private static readonly Permiso ConCliente = Permiso.Para(Roles.Admin, Roles.Cobranzas, Roles.Cliente);

    /// <summary>POST /api/pagos (cobranzas, admin; Idempotency-Key required): records a confirmed payment and starts ProcesarPago.</summary>
    [Function(nameof(RegistrarPago))]
    public Task<IActionResult> RegistrarPago(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "pagos")] HttpRequest req,
        [DurableClient] DurableTaskClient durable) =>
        api.EjecutarIdempotenteAsync(req, Cobranzas, async l =>
        {
            var s = await l.LeerAsync<SolicitudPago>();
            var p = await pagos.RegistrarAsync(s, l.Cid, l.Ct);
            await IniciadorPagos.IniciarAsync(durable, p.Id, l.Cid, l.Ct);
            return Respuestas.Aceptado($"/api/pagos/{p.Id}", p);
        });

    /// <summary>GET /api/pagos/{id} (staff; a cliente only their own, 404 otherwise).</summary>
    [Function(nameof(ConsultarPago))]
    public Task<IActionResult> ConsultarPago(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "pagos/{id:guid}")] HttpRequest req, Guid id) =>
        api.EjecutarAsync(req, Permiso.Para(Roles.Admin, Roles.Cobranzas, Roles.Soporte, Roles.Cliente), async l =>
        {
            var p = await pagos.ObtenerAsync(id, l.Ct);
            if (p is null || !l.UsuarioAutenticado.PuedeVerCliente(p.ClienteId)) throw new ErrorNoEncontrado("pago", id.ToString());
            return Respuestas.Ok(p);
        });

    /// <summary>GET /api/pagos/{id}/complemento (admin, cobranzas; a cliente only their own, 404 otherwise): the stamped
    /// payment complement (CFDI type P).</summary>
    [Function(nameof(XmlComplementoPago))]
    public Task<IActionResult> XmlComplementoPago(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "pagos/{id:guid}/complemento")] HttpRequest req, Guid id) =>
        api.EjecutarAsync(req, ConCliente, async l =>
            Respuestas.CfdiXml(await complementos.XmlAsync(l.UsuarioAutenticado, id, l.Ct), $"complemento-{id}.xml"));

    /// <summary>GET /api/pagos/{id}/complemento/representacion: its printable copy (HTML with SAT's QR), same access.</summary>
    [Function(nameof(RepresentacionComplementoPago))]
    public Task<IActionResult> RepresentacionComplementoPago(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "pagos/{id:guid}/complemento/representacion")] HttpRequest req, Guid id) =>
        api.EjecutarAsync(req, ConCliente, async l =>
            Respuestas.Imprimible(await complementos.RepresentacionAsync(l.UsuarioAutenticado, id, l.Ct)));

    /// <summary>POST /api/pagos/webhooks/{gateway} (public: the signature authenticates). 2xx for accepted and
    /// duplicate deliveries, 400 problem+json for a bad signature or body, 404 for an unknown gateway.</summary>
    [Function(nameof(RecibirWebhookPago))]
    public Task<IActionResult> RecibirWebhookPago(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "pagos/webhooks/{gateway}")] HttpRequest req, string gateway) =>
        RecibirAsync(req, gateway);

    /// <summary>POST /api/webhooks/{proveedor} (public: the provider's signature header authenticates): the webhook of
    /// every configured provider (spei: deposit notices matched by CLABE; oxxo: cash references paid or expired; emulada:
    /// the card gateway, also at /api/pagos/webhooks/emulada). Same answers as the card webhook; 404 for an unknown provider.</summary>
    [Function(nameof(RecibirWebhookProveedor))]
    public Task<IActionResult> RecibirWebhookProveedor(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "webhooks/{proveedor}")] HttpRequest req, string proveedor) =>
        RecibirAsync(req, proveedor);

    /// <summary>POST /api/pagos/referencias (cliente for themselves; admin, cobranzas, soporte; Idempotency-Key): an OXXO
    /// cash reference for an invoice or an amount, with its expiry and printable voucher.</summary>
    [Function(nameof(CrearReferenciaEfectivo))]
    public Task<IActionResult> CrearReferenciaEfectivo(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "pagos/referencias")] HttpRequest req) =>
        api.EjecutarIdempotenteAsync(req, Permiso.Para(Roles.Admin, Roles.Cobranzas, Roles.Soporte, Roles.Cliente), async l =>
        {
            var r = await referencias.EmitirAsync(l.UsuarioAutenticado, await l.LeerAsync<SolicitudReferenciaEfectivo>(), l.Cid, l.Ct);
            return Respuestas.Creado(r.Comprobante, r);
        });

    /// <summary>GET /api/pagos/referencias/{id}/comprobante (staff; a cliente only their own, 404 otherwise): the printable
    /// voucher (HTML with the Code 128 barcode as SVG).</summary>
    [Function(nameof(ComprobanteReferenciaEfectivo))]
    public Task<IActionResult> ComprobanteReferenciaEfectivo(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "pagos/referencias/{id:guid}/comprobante")] HttpRequest req, Guid id) =>
        api.EjecutarAsync(req, Permiso.Para(Roles.Admin, Roles.Cobranzas, Roles.Soporte, Roles.Cliente), async l =>
            new RespuestaJson(StatusCodes.Status200OK, await referencias.ComprobanteAsync(l.UsuarioAutenticado, id, l.Ct), "text/html; charset=utf-8"));

    private Task<IActionResult> RecibirAsync(HttpRequest req, string gateway) =>
        api.EjecutarAsync(req, Permiso.Firmada, async l =>
        {
            if (!webhooks.Existe(gateway)) throw new ErrorNoEncontrado("pasarela", gateway);
            // The raw bytes, before any JSON parsing: the signature covers exactly these.
            var cuerpo = await l.CuerpoAsync();
            var r = await webhooks.RecibirAsync(gateway, h => req.Headers.TryGetValue(h, out var v) ? v.ToString() : null, cuerpo, l.Cid, l.Ct);
            // Acknowledged as soon as it is committed: the IniciarPagosConfirmados timer starts ProcesarPago.
            return r switch
            {
                ResultadoWebhook.Rechazado rechazo => throw new ErrorValidacion(rechazo.Campo, rechazo.Motivo),
                ResultadoWebhook.Aceptado a => Respuestas.Ok(new { recibido = true, a.EventoId, a.Duplicado, pagoId = a.PagoId }),
                _ => throw new InvalidOperationException(),
            };
        });

    /// <summary>GET /api/pagos/pendientes?clienteId=&amp;pagina=&amp;tamano= (cobranzas, admin): open balances by customer and age bucket.</summary>
    [Function(nameof(ConsultarPendientes))]
    public Task<IActionResult> ConsultarPendientes(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "pagos/pendientes")] HttpRequest req) =>
        api.EjecutarAsync(req, Cobranzas, async l =>
        {
            var cliente = Peticion.UuidOpcional(l.Query("clienteId"), "clienteId");
            return Respuestas.Ok(await pagos.PendientesAsync(cliente, l.Paginacion(50, 200), l.Ct));
        });

    /// <summary>POST /api/pagos/conciliaciones (cobranzas, admin; Idempotency-Key): reconciles a settlement report on demand.</summary>
    [Function(nameof(EjecutarConciliacion))]
    public Task<IActionResult> EjecutarConciliacion(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "pagos/conciliaciones")] HttpRequest req) =>
        api.EjecutarIdempotenteAsync(req, Cobranzas, async l =>
        {
            var reporte = await l.LeerAsync<ReporteLiquidacion>();
            return await conciliacion.EjecutarAsync(reporte, l.Cid, l.Ct) switch
            {
                ResultadoEjecucion.Ejecutada e => Respuestas.Creado($"/api/pagos/conciliaciones/{e.Conciliacion.Id}", e.Conciliacion),
                ResultadoEjecucion.YaEjecutada { Id: { } id } => throw new ErrorConflicto($"Ese día ya se concilió: /api/pagos/conciliaciones/{id}", "conciliacion_existente"),
                _ => throw new ErrorConflicto("Otra conciliación de ese día está en curso.", "conciliacion_en_curso"),
            };
        });

    /// <summary>GET /api/pagos/conciliaciones?pagina=&amp;tamano= (cobranzas, admin).</summary>
    [Function(nameof(ListarConciliaciones))]
    public Task<IActionResult> ListarConciliaciones(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "pagos/conciliaciones")] HttpRequest req) =>
        api.EjecutarAsync(req, Cobranzas, async l =>
            Respuestas.Ok(await conciliacion.ListarAsync(l.Paginacion(50, 200), l.Ct)));

    /// <summary>POST /api/pagos/conciliaciones/{id}/hallazgos/{hallazgoId}/resolucion (cobranzas, admin; Idempotency-Key):
    /// the operator accepts a finding (understood) or marks it under investigation, from the billing portal.</summary>
    [Function(nameof(ResolverHallazgoConciliacion))]
    public Task<IActionResult> ResolverHallazgoConciliacion(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "pagos/conciliaciones/{id:guid}/hallazgos/{hallazgoId:long}/resolucion")] HttpRequest req,
        Guid id, long hallazgoId) =>
        api.EjecutarIdempotenteAsync(req, Cobranzas, async l =>
            Respuestas.Ok(await conciliacion.ResolverAsync(id, hallazgoId, await l.LeerAsync<SolicitudResolucion>(), l.UsuarioAutenticado.Sujeto, l.Ct)));

    /// <summary>POST /api/pagos/estados-de-cuenta (cobranzas, admin; Idempotency-Key): imports a bank statement (CSV) for
    /// transfers outside the aggregator; matched lines become payments, the rest wait for manual assignment.</summary>
    [Function(nameof(ImportarEstadoCuenta))]
    public Task<IActionResult> ImportarEstadoCuenta(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "pagos/estados-de-cuenta")] HttpRequest req) =>
        api.EjecutarIdempotenteAsync(req, Cobranzas, async l =>
            Respuestas.Ok(await estados.ImportarAsync(await l.LeerAsync<SolicitudEstadoCuenta>(), l.Cid, l.Ct)));

    /// <summary>GET /api/pagos/movimientos-bancarios/pendientes?pagina=&amp;tamano= (cobranzas, admin): credits waiting for an operator.</summary>
    [Function(nameof(ListarMovimientosBancariosPendientes))]
    public Task<IActionResult> ListarMovimientosBancariosPendientes(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "pagos/movimientos-bancarios/pendientes")] HttpRequest req) =>
        api.EjecutarAsync(req, Cobranzas, async l =>
            Respuestas.Ok(await estados.PendientesAsync(l.Paginacion(50, 200), l.Ct)));

    /// <summary>POST /api/pagos/movimientos-bancarios/{id}/asignacion (cobranzas, admin; Idempotency-Key): assigns a queued
    /// credit to a customer, which makes it their payment.</summary>
    [Function(nameof(AsignarMovimientoBancario))]
    public Task<IActionResult> AsignarMovimientoBancario(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "pagos/movimientos-bancarios/{id:guid}/asignacion")] HttpRequest req, Guid id) =>
        api.EjecutarIdempotenteAsync(req, Cobranzas, async l =>
            Respuestas.Ok(await estados.AsignarAsync(id, await l.LeerAsync<SolicitudAsignacion>(), l.UsuarioAutenticado.Sujeto, l.Cid, l.Ct)));

    /// <summary>POST /api/pagos/{id}/reembolsos (cobranzas, admin; Idempotency-Key): records the refund the ISP made itself
    /// by SPEI transfer (OXXO cash, SPEI, bank or branch payments: no provider refunds them); 202, carried out by the
    /// IniciarReversosPago timer like a provider's refund.</summary>
    [Function(nameof(RegistrarReembolsoManual))]
    public Task<IActionResult> RegistrarReembolsoManual(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "pagos/{id:guid}/reembolsos")] HttpRequest req, Guid id) =>
        api.EjecutarIdempotenteAsync(req, Cobranzas, async l =>
            Respuestas.Aceptado($"/api/pagos/{id}", await reversos.RegistrarManualAsync(id, await l.LeerAsync<SolicitudReembolso>(), l.UsuarioAutenticado.Sujeto, l.Cid, l.Ct)));

    /// <summary>GET /api/pagos/conciliaciones/{id} (cobranzas, admin): the run with every finding.</summary>
    [Function(nameof(ConsultarConciliacion))]
    public Task<IActionResult> ConsultarConciliacion(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "pagos/conciliaciones/{id:guid}")] HttpRequest req, Guid id) =>
        api.EjecutarAsync(req, Cobranzas, async l =>
            Respuestas.Ok(await conciliacion.ObtenerAsync(id, l.Ct) ?? throw new ErrorNoEncontrado("conciliación", id.ToString())));
}
