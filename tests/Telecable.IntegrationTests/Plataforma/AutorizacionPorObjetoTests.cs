using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Telecable.Infrastructure.AltasYTickets;
using Telecable.Infrastructure.Pagos;
using Telecable.Infrastructure.Routers;
using Telecable.IntegrationTests.AltasYTickets;
using Telecable.IntegrationTests.Infraestructura;
using Telecable.LocalHost.Funciones;

namespace Telecable.IntegrationTests.Plataforma;

/// <summary>
/// OWASP API1 (object level authorization), for every endpoint at once. The functions are discovered by
/// reflection, as the local host and the worker SDK find them; every route that carries an id, and every
/// route a cliente or tecnico token gets past the role check, must have an entry in <see cref="Tabla"/>
/// saying how customer (or technician) A tries to reach B's object and what A must get: 404 where A's
/// role may call the endpoint (the API never says "exists but not yours", so ids cannot be probed), 403
/// where it may not. Each attempt must change nothing in the database, leak none of B's identifiers,
/// and the same call on A's own object must succeed, so a 404 is never just a broken route.
/// </summary>
public sealed class AutorizacionPorObjetoTests(HostAutorizacion host) : IClassFixture<HostAutorizacion>
{
    private const string ClienteA = "00000000-0000-0000-0000-00000000c001";
    private const string ContratoA = "00000000-0000-0000-0000-00000000b001";
    private const string TicketA = "00000000-0000-0000-0000-000000008009";   // c001's, assigned to e001
    private const string RouterA = "00000000-0000-0000-0000-000000007001";   // c001's
    private const string TecnicoA = "00000000-0000-0000-0000-00000000e001";
    private const string Plan = "00000000-0000-0000-0000-000000002002";

    /// <summary>
    /// One attempt by A on B's object. <paramref name="Quien"/>: cliente, tecnico (bearer tokens of A), router
    /// (A's device key) or anonimo. Where A's role may call the endpoint (404 or 200 expected), <paramref name="Propio"/>
    /// is the same call on A's own object, which must succeed (and contain <paramref name="PropioMuestra"/>).
    /// </summary>
    private sealed record Intento(string Quien, HttpStatusCode Esperado, Func<Escenario, HttpRequestMessage> Ajeno,
        Func<Escenario, Task<HttpRequestMessage>>? Propio = null, Func<Escenario, string>? PropioMuestra = null);

    /// <summary>
    /// A function, its route as written in its [HttpTrigger], and the attempts. <paramref name="Publica"/> says why
    /// a route needs no per-role attempts: it is not a customer's object, or its caller proves itself with a signature,
    /// a device key or an unguessable capability instead of a role.
    /// </summary>
    private sealed record Caso(string Funcion, string Metodo, string Ruta, Intento[] Intentos, string? Publica = null);

    private static Func<Escenario, Task<HttpRequestMessage>> Ya(Func<Escenario, HttpRequestMessage> f) => e => Task.FromResult(f(e));

    private static readonly HttpMethod Get = HttpMethod.Get, Post = HttpMethod.Post, Patch = HttpMethod.Patch;

    private static Intento Prohibido(string quien, Func<Escenario, HttpRequestMessage> ajeno) => new(quien, HttpStatusCode.Forbidden, ajeno);

    private static Intento NoEncontrado(string quien, Func<Escenario, HttpRequestMessage> ajeno, Func<Escenario, HttpRequestMessage> propio) =>
        new(quien, HttpStatusCode.NotFound, ajeno, Ya(propio));

    /// <summary>Customer A's own fiscal data (the demo's c001), for the invoice of a receipt of theirs.</summary>
    private static readonly object DatosFiscalesA = new { rfc = "GATM900417PC4", nombre = "MARIANA GARZA TREVIÑO", regimenFiscal = "612", usoCfdi = "G03", cpFiscal = "64349" };

    private static readonly Caso[] Tabla =
    [
        // ---- customers and contracts
        new("ObtenerCliente", "get", "clientes/{id}", [
            NoEncontrado("cliente", e => e.ClienteA(Get, $"clientes/{e.ClienteB}"), e => e.ClienteA(Get, $"clientes/{ClienteA}")),
            Prohibido("tecnico", e => e.TecnicoA(Get, $"clientes/{e.ClienteB}"))]),
        new("ActualizarCliente", "patch", "clientes/{id}", [
            Prohibido("cliente", e => e.ClienteA(Patch, $"clientes/{e.ClienteB}", new { nombre = "ROBADO", version = 1 })),
            Prohibido("tecnico", e => e.TecnicoA(Patch, $"clientes/{e.ClienteB}", new { nombre = "ROBADO", version = 1 }))]),
        new("RegistrarPromesaPago", "post", "clientes/{id}/promesas-pago", [
            Prohibido("cliente", e => e.ClienteA(Post, $"clientes/{e.ClienteB}/promesas-pago", new { hasta = "2030-01-01", motivo = "x" }, clave: true)),
            Prohibido("tecnico", e => e.TecnicoA(Post, $"clientes/{e.ClienteB}/promesas-pago", new { hasta = "2030-01-01", motivo = "x" }, clave: true))]),
        new("EstadoCliente", "get", "clientes/{id}/estado", [
            NoEncontrado("cliente", e => e.ClienteA(Get, $"clientes/{e.ClienteB}/estado"), e => e.ClienteA(Get, $"clientes/{ClienteA}/estado")),
            Prohibido("tecnico", e => e.TecnicoA(Get, $"clientes/{e.ClienteB}/estado"))]),
        new("EstadoDeCuentaCliente", "get", "clientes/{id}/estado-de-cuenta", [
            NoEncontrado("cliente", e => e.ClienteA(Get, $"clientes/{e.ClienteB}/estado-de-cuenta"), e => e.ClienteA(Get, $"clientes/{ClienteA}/estado-de-cuenta")),
            Prohibido("tecnico", e => e.TecnicoA(Get, $"clientes/{e.ClienteB}/estado-de-cuenta"))]),
        new("RegistrarConsentimiento", "post", "clientes/{id}/consentimientos", [
            NoEncontrado("cliente", e => e.ClienteA(Post, $"clientes/{e.ClienteB}/consentimientos", Consentimiento),
                e => e.ClienteA(Post, $"clientes/{ClienteA}/consentimientos", Consentimiento)),
            Prohibido("tecnico", e => e.TecnicoA(Post, $"clientes/{e.ClienteB}/consentimientos", Consentimiento))]),
        new("ListarConsentimientos", "get", "clientes/{id}/consentimientos", [
            NoEncontrado("cliente", e => e.ClienteA(Get, $"clientes/{e.ClienteB}/consentimientos"), e => e.ClienteA(Get, $"clientes/{ClienteA}/consentimientos")),
            Prohibido("tecnico", e => e.TecnicoA(Get, $"clientes/{e.ClienteB}/consentimientos"))]),
        new("AgregarDomicilio", "post", "clientes/{id}/domicilios", [
            Prohibido("cliente", e => e.ClienteA(Post, $"clientes/{e.ClienteB}/domicilios", Domicilio)),
            Prohibido("tecnico", e => e.TecnicoA(Post, $"clientes/{e.ClienteB}/domicilios", Domicilio))]),
        new("CrearContrato", "post", "clientes/{id}/contratos", [
            Prohibido("cliente", e => e.ClienteA(Post, $"clientes/{e.ClienteB}/contratos", new { planId = Plan }, clave: true)),
            Prohibido("tecnico", e => e.TecnicoA(Post, $"clientes/{e.ClienteB}/contratos", new { planId = Plan }, clave: true))]),
        new("ListarContratos", "get", "clientes/{id}/contratos", [
            NoEncontrado("cliente", e => e.ClienteA(Get, $"clientes/{e.ClienteB}/contratos"), e => e.ClienteA(Get, $"clientes/{ClienteA}/contratos")),
            Prohibido("tecnico", e => e.TecnicoA(Get, $"clientes/{e.ClienteB}/contratos"))]),
        new("ModificarContrato", "patch", "contratos/{id}", [
            Prohibido("cliente", e => e.ClienteA(Patch, $"contratos/{e.ContratoB}", new { accion = "suspender", version = 1 })),
            Prohibido("tecnico", e => e.TecnicoA(Patch, $"contratos/{e.ContratoB}", new { accion = "suspender", version = 1 }))]),

        new("CambiarPlanContrato", "post", "contratos/{id}/cambio-plan", [
            Prohibido("cliente", e => e.ClienteA(Post, $"contratos/{e.ContratoB}/cambio-plan", new { planId = Plan }, clave: true)),
            Prohibido("tecnico", e => e.TecnicoA(Post, $"contratos/{e.ContratoB}/cambio-plan", new { planId = Plan }, clave: true))]),

        // ---- catalog (reference data, not anybody's object; writes are admin's)
        new("CoberturaPorCp", "get", "catalogo/zonas/{cp}", [new("anonimo", HttpStatusCode.OK, e => e.Anonimo(Get, "catalogo/zonas/64000"))],
            Publica: "coverage of a postal code: public catalog data, no customer's object"),
        new("CambiarPlan", "patch", "catalogo/planes/{id}", [
            Prohibido("cliente", e => e.ClienteA(Patch, $"catalogo/planes/{Plan}", new { activo = false })),
            Prohibido("tecnico", e => e.TecnicoA(Patch, $"catalogo/planes/{Plan}", new { activo = false }))]),
        new("FijarPrecio", "post", "catalogo/planes/{id}/precios", [
            Prohibido("cliente", e => e.ClienteA(Post, $"catalogo/planes/{Plan}/precios", Precio)),
            Prohibido("tecnico", e => e.TecnicoA(Post, $"catalogo/planes/{Plan}/precios", Precio))]),

        // ---- billing: a customer reads their own invoices; paying and cancelling by hand are staff's
        new("ConsultarCorrida", "get", "facturacion/corridas/{id}", [
            Prohibido("cliente", e => e.ClienteA(Get, $"facturacion/corridas/{e.Corrida}")),
            Prohibido("tecnico", e => e.TecnicoA(Get, $"facturacion/corridas/{e.Corrida}"))]),
        new("ReintentarCorrida", "post", "facturacion/corridas/{id}/reintentar", [
            Prohibido("cliente", e => e.ClienteA(Post, $"facturacion/corridas/{e.Corrida}/reintentar", new { }, clave: true)),
            Prohibido("tecnico", e => e.TecnicoA(Post, $"facturacion/corridas/{e.Corrida}/reintentar", new { }, clave: true))]),
        new("PagarFactura", "patch", "facturacion/{uuid}/pagar", [
            Prohibido("cliente", e => e.ClienteA(Patch, $"facturacion/{e.FacturaB}/pagar", new { metodo = "efectivo" })),
            Prohibido("tecnico", e => e.TecnicoA(Patch, $"facturacion/{e.FacturaB}/pagar", new { metodo = "efectivo" }))]),
        new("CancelarFactura", "post", "facturacion/{uuid}/cancelacion", [
            Prohibido("cliente", e => e.ClienteA(Post, $"facturacion/{e.FacturaB}/cancelacion", new { motivo = "02" }, clave: true)),
            Prohibido("tecnico", e => e.TecnicoA(Post, $"facturacion/{e.FacturaB}/cancelacion", new { motivo = "02" }, clave: true))]),
        new("SustituirFactura", "post", "facturacion/{uuid}/sustitucion", [
            Prohibido("cliente", e => e.ClienteA(Post, $"facturacion/{e.FacturaB}/sustitucion", new { }, clave: true)),
            Prohibido("tecnico", e => e.TecnicoA(Post, $"facturacion/{e.FacturaB}/sustitucion", new { }, clave: true))]),
        new("ResponderCancelacionReceptor", "post", "pac-emulado/cancelaciones/{uuid}/respuesta", [
            Prohibido("cliente", e => e.ClienteA(Post, $"pac-emulado/cancelaciones/{e.FacturaB}/respuesta", new { acepta = true }, clave: true)),
            Prohibido("tecnico", e => e.TecnicoA(Post, $"pac-emulado/cancelaciones/{e.FacturaB}/respuesta", new { acepta = true }, clave: true))]),
        new("CancelarComplementoDePago", "post", "pagos/{id:guid}/complemento/cancelacion", [
            Prohibido("cliente", e => e.ClienteA(Post, $"pagos/{e.PagoComplementoB}/complemento/cancelacion", new { }, clave: true)),
            Prohibido("tecnico", e => e.TecnicoA(Post, $"pagos/{e.PagoComplementoB}/complemento/cancelacion", new { }, clave: true))]),
        new("XmlFactura", "get", "facturacion/{uuid}/xml", [
            NoEncontrado("cliente", e => e.ClienteA(Get, $"facturacion/{e.FacturaB}/xml"), e => e.ClienteA(Get, $"facturacion/{e.FacturaA}/xml")),
            Prohibido("tecnico", e => e.TecnicoA(Get, $"facturacion/{e.FacturaB}/xml"))]),
        new("RepresentacionFactura", "get", "facturacion/{uuid}/representacion", [
            NoEncontrado("cliente", e => e.ClienteA(Get, $"facturacion/{e.FacturaB}/representacion"), e => e.ClienteA(Get, $"facturacion/{e.FacturaA}/representacion")),
            Prohibido("tecnico", e => e.TecnicoA(Get, $"facturacion/{e.FacturaB}/representacion"))]),
        new("AjusteCortesia", "post", "clientes/{id}/ajustes-cortesia", [
            Prohibido("cliente", e => e.ClienteA(Post, $"clientes/{e.ClienteB}/ajustes-cortesia", new { monto = 1.00m, motivo = "x" }, clave: true)),
            Prohibido("tecnico", e => e.TecnicoA(Post, $"clientes/{e.ClienteB}/ajustes-cortesia", new { monto = 1.00m, motivo = "x" }, clave: true))]),
        new("EmitirNotaCredito", "post", "facturacion/{uuid}/notas-credito", [
            Prohibido("cliente", e => e.ClienteA(Post, $"facturacion/{e.FacturaB}/notas-credito", new { monto = 1.00m, motivo = "x" }, clave: true)),
            Prohibido("tecnico", e => e.TecnicoA(Post, $"facturacion/{e.FacturaB}/notas-credito", new { monto = 1.00m, motivo = "x" }, clave: true))]),
        new("NotasCreditoDeFactura", "get", "facturacion/{uuid}/notas-credito", [
            NoEncontrado("cliente", e => e.ClienteA(Get, $"facturacion/{e.FacturaB}/notas-credito"), e => e.ClienteA(Get, $"facturacion/{e.FacturaA}/notas-credito")),
            Prohibido("tecnico", e => e.TecnicoA(Get, $"facturacion/{e.FacturaB}/notas-credito"))]),
        new("XmlNotaCredito", "get", "facturacion/notas-credito/{uuid}/xml", [
            NoEncontrado("cliente", e => e.ClienteA(Get, $"facturacion/notas-credito/{e.NotaCreditoB}/xml"), e => e.ClienteA(Get, $"facturacion/notas-credito/{e.NotaCreditoA}/xml")),
            Prohibido("tecnico", e => e.TecnicoA(Get, $"facturacion/notas-credito/{e.NotaCreditoB}/xml"))]),
        new("RepresentacionNotaCredito", "get", "facturacion/notas-credito/{uuid}/representacion", [
            NoEncontrado("cliente", e => e.ClienteA(Get, $"facturacion/notas-credito/{e.NotaCreditoB}/representacion"),
                e => e.ClienteA(Get, $"facturacion/notas-credito/{e.NotaCreditoA}/representacion")),
            Prohibido("tecnico", e => e.TecnicoA(Get, $"facturacion/notas-credito/{e.NotaCreditoB}/representacion"))]),
        new("CreditosSla", "get", "facturacion/creditos-sla", [
            new("cliente", HttpStatusCode.OK, e => e.ClienteA(Get, $"facturacion/creditos-sla?clienteId={e.ClienteB}"),
                Ya(e => e.ClienteA(Get, "facturacion/creditos-sla")), _ => "\"elementos\""),
            Prohibido("tecnico", e => e.TecnicoA(Get, "facturacion/creditos-sla"))]),
        new("Recibos", "get", "facturacion/recibos", [
            new("cliente", HttpStatusCode.OK, e => e.ClienteA(Get, $"facturacion/recibos?clienteId={e.ClienteB}"),
                Ya(e => e.ClienteA(Get, "facturacion/recibos")), e => e.ReciboA.ToString()),
            Prohibido("tecnico", e => e.TecnicoA(Get, "facturacion/recibos"))]),
        new("RepresentacionRecibo", "get", "facturacion/recibos/{id}/representacion", [
            NoEncontrado("cliente", e => e.ClienteA(Get, $"facturacion/recibos/{e.ReciboB}/representacion"),
                e => e.ClienteA(Get, $"facturacion/recibos/{e.ReciboA}/representacion")),
            Prohibido("tecnico", e => e.TecnicoA(Get, $"facturacion/recibos/{e.ReciboB}/representacion"))]),
        // The invoice of a receipt: a customer asks it for their own receipts only (B's is 404, and nothing changes).
        new("FacturarRecibo", "post", "facturacion/recibos/{id}/factura", [
            NoEncontrado("cliente", e => e.ClienteA(Post, $"facturacion/recibos/{e.ReciboB}/factura", DatosFiscalesA, clave: true),
                e => e.ClienteA(Post, $"facturacion/recibos/{e.ReciboA}/factura", DatosFiscalesA, clave: true)),
            Prohibido("tecnico", e => e.TecnicoA(Post, $"facturacion/recibos/{e.ReciboB}/factura", DatosFiscalesA, clave: true))]),
        new("XmlFacturaRecibo", "get", "facturacion/recibos/{id}/factura/xml", [
            NoEncontrado("cliente", e => e.ClienteA(Get, $"facturacion/recibos/{e.ReciboB}/factura/xml"),
                e => e.ClienteA(Get, $"facturacion/recibos/{e.ReciboA}/factura/xml")),
            Prohibido("tecnico", e => e.TecnicoA(Get, $"facturacion/recibos/{e.ReciboB}/factura/xml"))]),
        new("RepresentacionFacturaRecibo", "get", "facturacion/recibos/{id}/factura/representacion", [
            NoEncontrado("cliente", e => e.ClienteA(Get, $"facturacion/recibos/{e.ReciboB}/factura/representacion"),
                e => e.ClienteA(Get, $"facturacion/recibos/{e.ReciboA}/factura/representacion")),
            Prohibido("tecnico", e => e.TecnicoA(Get, $"facturacion/recibos/{e.ReciboB}/factura/representacion"))]),
        new("XmlCfdiGlobal", "get", "facturacion/globales/{uuid}/xml", [
            Prohibido("cliente", e => e.ClienteA(Get, $"facturacion/globales/{e.ReciboB}/xml")),
            Prohibido("tecnico", e => e.TecnicoA(Get, $"facturacion/globales/{e.ReciboB}/xml"))]),
        new("RepresentacionCfdiGlobal", "get", "facturacion/globales/{uuid}/representacion", [
            Prohibido("cliente", e => e.ClienteA(Get, $"facturacion/globales/{e.ReciboB}/representacion")),
            Prohibido("tecnico", e => e.TecnicoA(Get, $"facturacion/globales/{e.ReciboB}/representacion"))]),
        new("UltimasFacturas", "get", "facturacion/ultimas", [
            new("cliente", HttpStatusCode.OK, e => e.ClienteA(Get, "facturacion/ultimas?tamano=200"),
                Ya(e => e.ClienteA(Get, "facturacion/ultimas?tamano=200")), e => e.FacturaA.ToString()),
            Prohibido("tecnico", e => e.TecnicoA(Get, "facturacion/ultimas"))]),

        // ---- payments
        new("ConsultarPago", "get", "pagos/{id:guid}", [
            NoEncontrado("cliente", e => e.ClienteA(Get, $"pagos/{e.PagoB}"), e => e.ClienteA(Get, $"pagos/{e.PagoA}")),
            Prohibido("tecnico", e => e.TecnicoA(Get, $"pagos/{e.PagoB}"))]),
        new("XmlComplementoPago", "get", "pagos/{id:guid}/complemento", [
            NoEncontrado("cliente", e => e.ClienteA(Get, $"pagos/{e.PagoComplementoB}/complemento"), e => e.ClienteA(Get, $"pagos/{e.PagoComplementoA}/complemento")),
            Prohibido("tecnico", e => e.TecnicoA(Get, $"pagos/{e.PagoComplementoB}/complemento"))]),
        new("RepresentacionComplementoPago", "get", "pagos/{id:guid}/complemento/representacion", [
            NoEncontrado("cliente", e => e.ClienteA(Get, $"pagos/{e.PagoComplementoB}/complemento/representacion"),
                e => e.ClienteA(Get, $"pagos/{e.PagoComplementoA}/complemento/representacion")),
            Prohibido("tecnico", e => e.TecnicoA(Get, $"pagos/{e.PagoComplementoB}/complemento/representacion"))]),
        // Before PagarEnLinea: its own call pays A's invoice in full (the saga runs within a second), after which a cash
        // reference for that invoice is rightly refused (no balance left).
        new("CrearReferenciaEfectivo", "post", "pagos/referencias", [
            NoEncontrado("cliente", e => e.ClienteA(Post, "pagos/referencias", new { facturaId = e.FacturaB }, clave: true),
                e => e.ClienteA(Post, "pagos/referencias", new { facturaId = e.FacturaA }, clave: true)),
            NoEncontrado("cliente", e => e.ClienteA(Post, "pagos/referencias", new { clienteId = e.ClienteB, monto = 50m }, clave: true),
                e => e.ClienteA(Post, "pagos/referencias", new { monto = 50m }, clave: true)),
            Prohibido("tecnico", e => e.TecnicoA(Post, "pagos/referencias", new { clienteId = e.ClienteB, monto = 50m }, clave: true))]),
        new("ComprobanteReferenciaEfectivo", "get", "pagos/referencias/{id:guid}/comprobante", [
            NoEncontrado("cliente", e => e.ClienteA(Get, $"pagos/referencias/{e.ReferenciaB}/comprobante"), e => e.ClienteA(Get, $"pagos/referencias/{e.ReferenciaA}/comprobante")),
            Prohibido("tecnico", e => e.TecnicoA(Get, $"pagos/referencias/{e.ReferenciaB}/comprobante"))]),
        new("PagarEnLinea", "post", "pagos/en-linea", [
            NoEncontrado("cliente", e => e.ClienteA(Post, "pagos/en-linea", new { facturas = new[] { e.FacturaB } }, clave: true),
                e => e.ClienteA(Post, "pagos/en-linea", new { facturas = new[] { e.FacturaA } }, clave: true)),
            Prohibido("tecnico", e => e.TecnicoA(Post, "pagos/en-linea", new { facturas = new[] { e.FacturaB } }, clave: true))]),
        new("RecibirWebhookPago", "post", "pagos/webhooks/{gateway}", [
            new("cliente", HttpStatusCode.BadRequest, e => e.WebhookForjado())],
            Publica: "the gateway authenticates with its HMAC signature; a bearer token does not make a forged payment event valid"),
        new("RecibirWebhookProveedor", "post", "webhooks/{proveedor}", [
            new("cliente", HttpStatusCode.BadRequest, e => e.DepositoSpeiForjado()),
            new("cliente", HttpStatusCode.BadRequest, e => e.PagoOxxoForjado())],
            Publica: "each provider authenticates with its own signature header (X-Spei-Firma, X-Oxxo-Firma); a bearer token does not make a forged event valid"),
        new("ResolverHallazgoConciliacion", "post", "pagos/conciliaciones/{id:guid}/hallazgos/{hallazgoId:long}/resolucion", [
            Prohibido("cliente", e => e.ClienteA(Post, $"pagos/conciliaciones/{Guid.NewGuid()}/hallazgos/1/resolucion", new { accion = "aceptar" }, clave: true)),
            Prohibido("tecnico", e => e.TecnicoA(Post, $"pagos/conciliaciones/{Guid.NewGuid()}/hallazgos/1/resolucion", new { accion = "aceptar" }, clave: true))]),
        new("RegistrarReembolsoManual", "post", "pagos/{id:guid}/reembolsos", [
            Prohibido("cliente", e => e.ClienteA(Post, $"pagos/{e.PagoComplementoB}/reembolsos", new { monto = 1m, clabeDestino = "032180000118359719", claveRastreo = "DEVOL1" }, clave: true)),
            Prohibido("tecnico", e => e.TecnicoA(Post, $"pagos/{e.PagoComplementoB}/reembolsos", new { monto = 1m, clabeDestino = "032180000118359719", claveRastreo = "DEVOL1" }, clave: true))]),
        new("AsignarMovimientoBancario", "post", "pagos/movimientos-bancarios/{id:guid}/asignacion", [
            Prohibido("cliente", e => e.ClienteA(Post, $"pagos/movimientos-bancarios/{Guid.NewGuid()}/asignacion", new { clienteId = e.ClienteB }, clave: true)),
            Prohibido("tecnico", e => e.TecnicoA(Post, $"pagos/movimientos-bancarios/{Guid.NewGuid()}/asignacion", new { clienteId = e.ClienteB }, clave: true))]),
        new("ConsultarConciliacion", "get", "pagos/conciliaciones/{id:guid}", [
            Prohibido("cliente", e => e.ClienteA(Get, $"pagos/conciliaciones/{Guid.NewGuid()}")),
            Prohibido("tecnico", e => e.TecnicoA(Get, $"pagos/conciliaciones/{Guid.NewGuid()}"))]),

        // ---- onboarding and tickets
        new("ConsultarAlta", "get", "altas/{id}", [
            NoEncontrado("cliente", e => e.ClienteA(Get, $"altas/{ServicioAltas.IdPara(e.ClaveAltaB, e.SujetoClienteA)}"), e => e.Anonimo(Get, $"altas/{e.AltaB}")),
            NoEncontrado("anonimo", e => e.Anonimo(Get, $"altas/alta-{Guid.NewGuid():N}"), e => e.Anonimo(Get, $"altas/{e.AltaB}"))],
            Publica: "the id is the capability: a hash of the creator's identity and Idempotency-Key, so A cannot derive B's id (the same key under A's identity is another id)"),
        new("ObtenerTicket", "get", "tickets/{id}", [
            NoEncontrado("cliente", e => e.ClienteA(Get, $"tickets/{e.TicketInstalacionB}"), e => e.ClienteA(Get, $"tickets/{TicketA}")),
            NoEncontrado("tecnico", e => e.TecnicoA(Get, $"tickets/{e.TicketSoporteB}"), e => e.TecnicoA(Get, $"tickets/{TicketA}"))]),
        new("ProgresoTicket", "patch", "tickets/{id}/progreso", [
            Prohibido("cliente", e => e.ClienteA(Patch, $"tickets/{e.TicketSoporteB}/progreso", new { estado = "en_camino" })),
            new("tecnico", HttpStatusCode.NotFound, e => e.TecnicoA(Patch, $"tickets/{e.TicketSoporteB}/progreso", new { estado = "en_camino" }),
                async e => e.TecnicoA(Patch, $"tickets/{await e.TicketDeAAsync()}/progreso", new { estado = "en_camino" }))]),
        new("CerrarTicket", "patch", "tickets/{id}/cerrar", [
            Prohibido("cliente", e => e.ClienteA(Patch, $"tickets/{e.TicketInstalacionB}/cerrar", new { nota = "cerrado por otro" })),
            new("tecnico", HttpStatusCode.NotFound, e => e.TecnicoA(Patch, $"tickets/{e.TicketInstalacionB}/cerrar", new { nota = "cerrado por otro" }),
                async e => e.TecnicoA(Patch, $"tickets/{await e.TicketDeAAsync(enSitio: true)}/cerrar", new { nota = "listo" }))]),
        new("FeedbackTicket", "post", "tickets/{id}/feedback", [
            new("cliente", HttpStatusCode.NotFound, e => e.ClienteA(Post, $"tickets/{e.TicketInstalacionB}/feedback", new { calificacion = 1 }),
                async e => e.ClienteA(Post, $"tickets/{await e.TicketDeAAsync(cerrado: true)}/feedback", new { calificacion = 5 })),
            Prohibido("tecnico", e => e.TecnicoA(Post, $"tickets/{e.TicketInstalacionB}/feedback", new { calificacion = 1 }))]),
        new("ListarTickets", "get", "tickets", [
            new("cliente", HttpStatusCode.OK, e => e.ClienteA(Get, $"tickets?tecnico={e.TecnicoB}"), Ya(e => e.ClienteA(Get, "tickets")), _ => TicketA),
            new("tecnico", HttpStatusCode.OK, e => e.TecnicoA(Get, $"tickets?tecnico={e.TecnicoB}"), Ya(e => e.TecnicoA(Get, "tickets?tecnico=me")), _ => TicketA)]),
        new("VisitasTecnico", "get", "tecnico/visitas", [
            Prohibido("cliente", e => e.ClienteA(Get, "tecnico/visitas")),
            // Asking for another technician's visits is not even a parameter: the answer is always the caller's own.
            new("tecnico", HttpStatusCode.OK, e => e.TecnicoA(Get, $"tecnico/visitas?tecnico={e.TecnicoB}"), Ya(e => e.TecnicoA(Get, "tecnico/visitas")), _ => TicketA)]),
        new("CrearTicket", "post", "tickets", [
            NoEncontrado("cliente", e => e.ClienteA(Post, "tickets", new { contratoId = e.ContratoB, descripcion = "Sin señal" }),
                e => e.ClienteA(Post, "tickets", new { contratoId = ContratoA, descripcion = "Sin señal" })),
            Prohibido("tecnico", e => e.TecnicoA(Post, "tickets", new { contratoId = e.ContratoB, descripcion = "Sin señal" }))]),

        // ---- support desk (issue 21)
        new("AsignarTicket", "post", "tickets/{id}/asignacion", [
            Prohibido("cliente", e => e.ClienteA(Post, $"tickets/{e.TicketSoporteB}/asignacion", new { agente = "soporte" })),
            Prohibido("tecnico", e => e.TecnicoA(Post, $"tickets/{e.TicketSoporteB}/asignacion", new { agente = "soporte" }))]),
        new("AtenderTicket", "post", "tickets/{id}/atencion", [
            Prohibido("cliente", e => e.ClienteA(Post, $"tickets/{e.TicketSoporteB}/atencion", new { })),
            new("tecnico", HttpStatusCode.NotFound, e => e.TecnicoA(Post, $"tickets/{e.TicketSoporteB}/atencion", new { }),
                async e => e.TecnicoA(Post, $"tickets/{await e.TicketDeAAsync()}/atencion", new { }))]),
        new("ResolverTicket", "post", "tickets/{id}/resolucion", [
            Prohibido("cliente", e => e.ClienteA(Post, $"tickets/{e.TicketSoporteB}/resolucion", new { motivo = "x" })),
            new("tecnico", HttpStatusCode.NotFound, e => e.TecnicoA(Post, $"tickets/{e.TicketSoporteB}/resolucion", new { motivo = "x" }),
                async e => e.TecnicoA(Post, $"tickets/{await e.TicketDeAAsync()}/resolucion", new { motivo = "Listo" }))]),
        new("ConfirmarTicket", "post", "tickets/{id}/confirmacion", [
            new("cliente", HttpStatusCode.NotFound, e => e.ClienteA(Post, $"tickets/{e.TicketSoporteB}/confirmacion", new { }),
                async e => e.ClienteA(Post, $"tickets/{await e.TicketResueltoDeAAsync()}/confirmacion", new { })),
            Prohibido("tecnico", e => e.TecnicoA(Post, $"tickets/{e.TicketSoporteB}/confirmacion", new { }))]),
        new("ReabrirTicket", "post", "tickets/{id}/reapertura", [
            new("cliente", HttpStatusCode.NotFound, e => e.ClienteA(Post, $"tickets/{e.TicketSoporteB}/reapertura", new { motivo = "sigue igual" }),
                async e => e.ClienteA(Post, $"tickets/{await e.TicketResueltoDeAAsync()}/reapertura", new { motivo = "sigue igual" })),
            Prohibido("tecnico", e => e.TecnicoA(Post, $"tickets/{e.TicketSoporteB}/reapertura", new { motivo = "sigue igual" }))]),
        new("CancelarTicket", "post", "tickets/{id}/cancelacion", [
            new("cliente", HttpStatusCode.NotFound, e => e.ClienteA(Post, $"tickets/{e.TicketSoporteB}/cancelacion", new { motivo = "ya no" }),
                async e => e.ClienteA(Post, $"tickets/{await e.TicketDeAAsync()}/cancelacion", new { motivo = "ya no" })),
            Prohibido("tecnico", e => e.TecnicoA(Post, $"tickets/{e.TicketSoporteB}/cancelacion", new { motivo = "ya no" }))]),
        new("AnotarTicket", "post", "tickets/{id}/notas", [
            new("cliente", HttpStatusCode.NotFound, e => e.ClienteA(Post, $"tickets/{e.TicketSoporteB}/notas", new { texto = "hola" }),
                async e => e.ClienteA(Post, $"tickets/{await e.TicketDeAAsync()}/notas", new { texto = "hola" })),
            new("tecnico", HttpStatusCode.NotFound, e => e.TecnicoA(Post, $"tickets/{e.TicketSoporteB}/notas", new { texto = "nota", interna = true }),
                async e => e.TecnicoA(Post, $"tickets/{await e.TicketDeAAsync()}/notas", new { texto = "nota", interna = true }))]),
        new("DetalleTicketMesa", "get", "soporte/tickets/{id}", [
            Prohibido("cliente", e => e.ClienteA(Get, $"soporte/tickets/{e.TicketSoporteB}")),
            Prohibido("tecnico", e => e.TecnicoA(Get, $"soporte/tickets/{e.TicketSoporteB}"))]),
        new("LineaDeTiempoCliente", "get", "clientes/{id}/linea-tiempo", [
            NoEncontrado("cliente", e => e.ClienteA(Get, $"clientes/{e.ClienteB}/linea-tiempo"), e => e.ClienteA(Get, $"clientes/{ClienteA}/linea-tiempo")),
            Prohibido("tecnico", e => e.TecnicoA(Get, $"clientes/{e.ClienteB}/linea-tiempo"))]),
        new("ListarFaq", "get", "faq", [], Publica: "the help page's questions and answers"),
        new("RegimenesFiscales", "get", "catalogo/regimenes-fiscales", [], Publica: "SAT catalogs: regimes and the CFDI uses each allows"),

        // ---- routers: customers read their own; commands are support's; devices speak for themselves only
        new("ObtenerEstadoRouter", "get", "router/status/{routerId:guid}", [
            NoEncontrado("cliente", e => e.ClienteA(Get, $"router/status/{e.RouterB}"), e => e.ClienteA(Get, $"router/status/{RouterA}")),
            Prohibido("tecnico", e => e.TecnicoA(Get, $"router/status/{e.RouterB}"))]),
        new("ReiniciarRouter", "post", "router/{routerId:guid}/reset", [
            Prohibido("cliente", e => e.ClienteA(Post, $"router/{e.RouterB}/reset", new { }, clave: true)),
            Prohibido("tecnico", e => e.TecnicoA(Post, $"router/{e.RouterB}/reset", new { }, clave: true))]),
        new("ConfirmarComandoRouter", "post", "router/{routerId:guid}/comandos/{comandoId:guid}/ack", [
            new("router", HttpStatusCode.Unauthorized, e => e.RouterA(Post, $"router/{e.RouterB}/comandos/{e.ComandoB}/ack")),
            NoEncontrado("router", e => e.RouterA(Post, $"router/{RouterA}/comandos/{e.ComandoB}/ack"), e => e.RouterA(Post, $"router/{RouterA}/comandos/{e.ComandoA}/ack")),
            new("cliente", HttpStatusCode.Unauthorized, e => e.ClienteA(Post, $"router/{RouterA}/comandos/{e.ComandoA}/ack"))],
            Publica: "a router proves itself with its own device key (X-Router-Auth), not with a role"),
        new("ReportarEstadoRouter", "post", "router/status", [
            new("router", HttpStatusCode.BadRequest, e => e.RouterA(Post, "router/status", e.Reporte(e.SerialB)),
                Ya(e => e.RouterA(Post, "router/status", e.Reporte(e.SerialA))))],
            Publica: "a router proves itself with its own device key and may report only under its own serial"),

        // ---- platform
        new("ConsultarSonda", "get", "admin/sonda/{id}", [
            Prohibido("cliente", e => e.ClienteA(Get, $"admin/sonda/{Guid.NewGuid():N}")),
            Prohibido("tecnico", e => e.TecnicoA(Get, $"admin/sonda/{Guid.NewGuid():N}"))]),
        new("QuienSoy", "get", "auth/yo", [
            new("cliente", HttpStatusCode.OK, e => e.ClienteA(Get, "auth/yo"), Ya(e => e.ClienteA(Get, "auth/yo")), _ => ClienteA),
            new("tecnico", HttpStatusCode.OK, e => e.TecnicoA(Get, "auth/yo"), Ya(e => e.TecnicoA(Get, "auth/yo")), _ => TecnicoA)]),

        // ---- public, no object of anybody's (anonymous sign-up, sign-in, catalog, health)
        new("BuscarPlanes", "get", "catalogo/planes", [], Publica: "plan catalog"),
        new("ListarZonas", "get", "catalogo/zonas", [], Publica: "zone catalog"),
        new("ListarDiasCorte", "get", "catalogo/dias-corte", [], Publica: "allowed cut-off days of the catalog"),
        new("ListarCombos", "get", "catalogo/combos", [], Publica: "combo catalog"),
        new("Cotizar", "get", "catalogo/cotizacion", [], Publica: "price quote from the catalog"),
        new("EmitirToken", "post", "auth/token", [], Publica: "sign-in of the development issuer"),
        new("IniciarAlta", "post", "altas", [], Publica: "public sign-up, no id in the route; with an existing customer's RFC it may reuse "
            + "that customer only for staff or that customer signed in (Un_alta_con_el_rfc_de_otro_cliente_no_toca_su_cuenta_ni_revela_sus_ids)"),
        new("Salud", "get", "health", [], Publica: "health probe; names components, no data"),

        // ---- accounts (issue 21): anonymous flows answer the same whoever asks; staff accounts are admin's
        new("RegistrarCuenta", "post", "cuentas/registro", [], Publica: "sign-up: the code goes to the channel on file, never to the caller"),
        new("VerificarCuenta", "post", "cuentas/verificacion", [], Publica: "the code sent to the channel on file is the proof"),
        new("IniciarSesion", "post", "cuentas/sesion", [], Publica: "sign-in with the account's password"),
        new("CerrarSesion", "post", "cuentas/sesion/cerrar", [], Publica: "closes only the session of the caller's own token (its sid)"),
        new("SolicitarRestablecimiento", "post", "cuentas/restablecimiento", [], Publica: "the code goes to the channel on file, never to the caller"),
        new("ConfirmarRestablecimiento", "post", "cuentas/restablecimiento/confirmacion", [], Publica: "the code sent to the channel on file is the proof"),
        new("CambiarPersonal", "patch", "cuentas/personal/{id}", [
            Prohibido("cliente", e => e.ClienteA(Patch, $"cuentas/personal/{Guid.NewGuid()}", new { activa = false })),
            Prohibido("tecnico", e => e.TecnicoA(Patch, $"cuentas/personal/{Guid.NewGuid()}", new { activa = false }))]),
        new("DocumentoApi", "get", "openapi.json", [], Publica: "the API's OpenAPI document, generated from the code; no data"),
    ];

    private static readonly object Consentimiento = new { avisoPrivacidadVersion = "2026-01", aceptaMarketing = true, origen = "portal_cliente" };
    private static readonly object Domicilio = new { calle = "Av. Juárez", numeroExterior = "1", colonia = "Centro", cp = "64000" };
    private static readonly object Precio = new { zona = "MTY_CENTRO", precioMensual = 1.00m, vigenteDesde = "2027-01-01" };

    private static readonly Regex ParametroDeRuta = new(@"\{[^}]+\}", RegexOptions.Compiled);

    /// <summary>Every HTTP function, found as the local host finds them (and as functions.metadata lists them, see UnitTests).</summary>
    private static List<(string Nombre, string Metodo, string Ruta)> FuncionesHttp() =>
        CatalogoFunciones.Descubrir(typeof(Telecable.Functions.Registro).Assembly, typeof(Telecable.Orchestrations.Contexto).Assembly)
            .Where(f => f.Disparador == Disparador.Http)
            .Select(f => (HttpTriggerAttribute)f.Atributo is var a ? (f.Nombre, a.Methods!.First(m => !m.Equals("head", StringComparison.OrdinalIgnoreCase)).ToLowerInvariant(), a.Route!) : default)
            .ToList();

    [Fact]
    public async Task Cada_ruta_con_id_o_abierta_a_un_cliente_o_tecnico_tiene_su_caso_en_la_tabla()
    {
        var funciones = FuncionesHttp();
        Assert.True(funciones.Count > 40, $"Solo se descubrieron {funciones.Count} funciones HTTP.");
        var casos = Tabla.ToDictionary(c => c.Funcion); // one entry per function

        var faltan = funciones.Where(f => ParametroDeRuta.IsMatch(f.Ruta) && !casos.ContainsKey(f.Nombre)).Select(f => $"{f.Metodo} {f.Ruta} ({f.Nombre})").ToList();
        Assert.True(faltan.Count == 0, "Rutas con id sin caso en la tabla de autorización por objeto: " + string.Join("; ", faltan));
        foreach (var c in Tabla)
        {
            var f = funciones.SingleOrDefault(x => x.Nombre == c.Funcion);
            Assert.True(f.Nombre is not null, $"La tabla nombra {c.Funcion}, que ya no existe.");
            Assert.True((f.Metodo, f.Ruta) == (c.Metodo, c.Ruta), $"{c.Funcion}: la tabla dice {c.Metodo} {c.Ruta} y la función es {f.Metodo} {f.Ruta}.");
            if (c.Publica is null)
                foreach (var rol in new[] { "cliente", "tecnico" })
                    Assert.True(c.Intentos.Any(i => i.Quien == rol), $"{c.Funcion}: falta el intento de un {rol}.");
            foreach (var i in c.Intentos.Where(i => i.Esperado == HttpStatusCode.NotFound))
                Assert.True(i.Propio is not null, $"{c.Funcion} ({i.Quien}): un 404 necesita la misma llamada sobre el objeto propio.");
        }

        // Routes without an id: whatever a cliente or tecnico token gets past the role check must be in the table
        // (scoped to the caller, or public). Empty bodies, so nothing can be written, and the database proves it.
        var e = await host.EscenarioAsync();
        var antes = await host.HuellaAsync();
        var abiertas = new List<string>();
        foreach (var f in funciones.Where(f => !ParametroDeRuta.IsMatch(f.Ruta)))
        {
            foreach (var (rol, token) in new[] { ("cliente", e.TokenClienteA), ("tecnico", e.TokenTecnicoA) })
            {
                using var r = await host.Http.SendAsync(Escenario.Pedir(token, new HttpMethod(f.Metodo), f.Ruta, cuerpoVacio: true));
                if (r.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden) continue;
                if (!casos.TryGetValue(f.Nombre, out var c) || (c.Publica is null && c.Intentos.All(i => i.Quien != rol)))
                    abiertas.Add($"{f.Metodo} {f.Ruta} ({f.Nombre}) responde {(int)r.StatusCode} a un {rol}");
            }
        }
        Assert.True(abiertas.Count == 0, "Rutas abiertas a clientes o técnicos sin caso en la tabla: " + string.Join("; ", abiertas));
        AfirmarSinCambios(antes, await host.HuellaAsync(), "el sondeo de rutas sin id");
    }

    [Fact]
    public async Task Nadie_alcanza_el_objeto_de_otro_y_la_misma_llamada_sobre_el_propio_funciona()
    {
        var e = await host.EscenarioAsync();

        // Every attempt on B's objects first, each between two fingerprints of the database.
        foreach (var c in Tabla)
        {
            foreach (var i in c.Intentos)
            {
                var donde = $"{c.Metodo.ToUpperInvariant()} {c.Ruta} como {i.Quien}";
                var antes = await host.HuellaAsync();
                using var pedido = i.Ajeno(e);
                var enviado = pedido.RequestUri + (pedido.Content is null ? "" : await pedido.Content.ReadAsStringAsync());
                using var r = await host.Http.SendAsync(pedido);
                var cuerpo = await r.Content.ReadAsStringAsync();
                Assert.True(r.StatusCode == i.Esperado, $"{donde}: se esperaba {(int)i.Esperado} y llegó {(int)r.StatusCode}: {cuerpo}");
                if (i.Esperado != HttpStatusCode.OK) await Problemas.AfirmarAsync(r, i.Esperado);
                // Nothing of B's that A did not send comes back (a 404 may only echo A's own input).
                foreach (var id in e.IdentificadoresDeB().Where(id => !enviado.Contains(id, StringComparison.OrdinalIgnoreCase)))
                    Assert.False(cuerpo.Contains(id, StringComparison.OrdinalIgnoreCase), $"{donde}: la respuesta revela {id} de B: {cuerpo}");
                AfirmarSinCambios(antes, await host.HuellaAsync(), donde);
            }
        }

        // Then the same calls on A's own objects succeed: the refusals above are authorization, not broken routes.
        foreach (var c in Tabla)
        {
            foreach (var i in c.Intentos.Where(i => i.Propio is not null))
            {
                using var pedido = await i.Propio!(e);
                using var r = await host.Http.SendAsync(pedido);
                var cuerpo = await r.Content.ReadAsStringAsync();
                Assert.True(r.IsSuccessStatusCode, $"{c.Metodo.ToUpperInvariant()} {c.Ruta} como {i.Quien} sobre lo propio: {(int)r.StatusCode} {cuerpo}");
                if (i.PropioMuestra is not null) Assert.Contains(i.PropioMuestra(e), cuerpo, StringComparison.OrdinalIgnoreCase);
            }
        }
        await host.EsperarOrquestacionesAsync();
    }

    [Fact]
    public async Task Un_alta_con_el_rfc_de_otro_cliente_no_toca_su_cuenta_ni_revela_sus_ids()
    {
        var e = await host.EscenarioAsync();
        var solicitud = HostAltas.SolicitudAlta(e.RfcB);
        var antes = await host.HuellaAsync();
        // Customer A signed in, and anybody anonymous, sign up with B's RFC (printed on every invoice B receives).
        var intentos = new List<string>();
        foreach (var token in new[] { e.TokenClienteA, null })
        {
            using var pedido = Escenario.Pedir(token, Post, "altas", solicitud, clave: true);
            intentos.Add((await Escenario.Exito(host.Http.SendAsync(pedido))).GetProperty("id").GetString()!);
        }
        await host.EsperarOrquestacionesAsync();
        foreach (var alta in intentos)
        {
            using var r = await host.Http.GetAsync($"api/altas/{alta}");
            var cuerpo = await r.Content.ReadAsStringAsync();
            var estado = JsonDocument.Parse(cuerpo).RootElement;
            Assert.True(estado.GetProperty("estado").GetString() == "fallida", $"Un alta ajena con el RFC de B siguió adelante: {cuerpo}");
            Assert.Equal("cliente", estado.GetProperty("pasoFallido").GetString());
            foreach (var id in e.IdentificadoresDeB().Where(id => id != e.RfcB))
                Assert.DoesNotContain(id, cuerpo, StringComparison.OrdinalIgnoreCase);
        }
        // Only the refused onboardings' own records were written: nothing on B's account (consents, contracts, tickets, messages).
        var despues = await host.HuellaAsync();
        var cambiadas = antes.Keys.Where(t => antes[t] != despues[t]).ToList();
        Assert.True(cambiadas.All(t => t is "altas" or "altas_pasos"), $"Cambió: {string.Join(", ", cambiadas)}");

        // B, signed in, may contract a second service on the same account.
        using var propio = Escenario.Pedir(host.TokenPara("cliente-b", ["cliente"], clienteId: e.ClienteB), Post, "altas", solicitud, clave: true);
        var suya = (await Escenario.Exito(host.Http.SendAsync(propio))).GetProperty("id").GetString()!;
        await host.EsperarOrquestacionesAsync();
        var fin = await Escenario.Exito(host.Http.GetAsync($"api/altas/{suya}"));
        Assert.Equal(("completada", false, e.ClienteB),
            (fin.GetProperty("estado").GetString(), fin.GetProperty("clienteCreado").GetBoolean(), fin.GetProperty("clienteId").GetGuid()));
    }

    private static void AfirmarSinCambios(Dictionary<string, string> antes, Dictionary<string, string> despues, string donde)
    {
        var cambiadas = antes.Keys.Union(despues.Keys).Where(t => antes.GetValueOrDefault(t) != despues.GetValueOrDefault(t)).ToList();
        Assert.True(cambiadas.Count == 0, $"{donde} cambió la base de datos: {string.Join(", ", cambiadas)}");
    }
}

/// <summary>
/// Customer A is the demo customer c001 (token of the demo user "cliente"), technician A the demo technician e001.
/// Customer B is signed up through the AltaCliente saga; technician B is created here and installs B's service,
/// which registers B's router; a billing run gives both an invoice; each has a payment and a router command.
/// </summary>
public sealed class Escenario
{
    public required HostAutorizacion Host;
    public required string TokenClienteA, TokenTecnicoA, TokenSoporte, SujetoClienteA, SerialA, SerialB, ClaveAltaB, AltaB, RfcB;
    public required Guid ClienteB, ContratoB, TicketInstalacionB, TicketSoporteB, TecnicoB, RouterB, ComandoA, ComandoB,
        FacturaA, FacturaB, FacturaIdB, PagoA, PagoB, PagoComplementoA, PagoComplementoB, Corrida, NotaCreditoA, NotaCreditoB, ReferenciaA, ReferenciaB,
        ReciboA, ReciboB;

    public HttpRequestMessage ClienteA(HttpMethod m, string ruta, object? cuerpo = null, bool clave = false) => Pedir(TokenClienteA, m, ruta, cuerpo, clave);
    public HttpRequestMessage TecnicoA(HttpMethod m, string ruta, object? cuerpo = null, bool clave = false) => Pedir(TokenTecnicoA, m, ruta, cuerpo, clave);
    public HttpRequestMessage Anonimo(HttpMethod m, string ruta) => Pedir(null, m, ruta);

    /// <summary>As router A, with its device key.</summary>
    public HttpRequestMessage RouterA(HttpMethod m, string ruta, object? cuerpo = null)
    {
        var r = Pedir(null, m, ruta, cuerpo);
        r.Headers.Add(AutenticadorRouters.Encabezado, $"{SerialA}:demo-key-{SerialA}");
        return r;
    }

    public object Reporte(string serial) => new { serial, firmware = "V1", uptimeSegundos = 100, senalDbm = -19.5m, bajadaMbps = 300m, subidaMbps = 90m };

    /// <summary>A payment event for B's invoice with customer A's token but no valid gateway signature.</summary>
    public HttpRequestMessage WebhookForjado()
    {
        var cuerpo = AdaptadorPasarelaEmulada.CuerpoPagoExitoso($"evt_forjado_{Guid.NewGuid():N}", "pi_forjado", ClienteB, 1m, facturas: [FacturaIdB]);
        var r = Pedir(TokenClienteA, HttpMethod.Post, "pagos/webhooks/emulada");
        r.Content = new StringContent(cuerpo, Encoding.UTF8, "application/json");
        r.Headers.TryAddWithoutValidation("Stripe-Signature", $"t={DateTimeOffset.UtcNow.ToUnixTimeSeconds()},v1={new string('0', 64)}");
        return r;
    }

    /// <summary>A deposit to a CLABE with customer A's token but no valid X-Spei-Firma.</summary>
    public HttpRequestMessage DepositoSpeiForjado()
    {
        var cuerpo = AdaptadorSpeiEmulado.CuerpoAbono($"FORJADO{Guid.NewGuid():N}"[..30], "032180000118359719", 1m);
        var r = Pedir(TokenClienteA, HttpMethod.Post, "webhooks/spei");
        r.Content = new StringContent(cuerpo, Encoding.UTF8, "application/json");
        r.Headers.TryAddWithoutValidation("X-Spei-Firma", $"t={DateTimeOffset.UtcNow.ToUnixTimeSeconds()},v1={new string('0', 64)}");
        return r;
    }

    /// <summary>An OXXO "paid" notice for B's cash reference with customer A's token but no valid X-Oxxo-Firma.</summary>
    public HttpRequestMessage PagoOxxoForjado()
    {
        var cuerpo = AdaptadorOxxoEmulado.Cuerpo($"evt_forjado_{Guid.NewGuid():N}", AdaptadorOxxoEmulado.TipoPagado, "93000000000019", 50m);
        var r = Pedir(TokenClienteA, HttpMethod.Post, "webhooks/oxxo");
        r.Content = new StringContent(cuerpo, Encoding.UTF8, "application/json");
        r.Headers.TryAddWithoutValidation(AdaptadorOxxoEmulado.Encabezado, $"t={DateTimeOffset.UtcNow.ToUnixTimeSeconds()},v1={new string('0', 64)}");
        return r;
    }

    /// <summary>A fresh support ticket of customer A assigned to technician A, moved on by technician A as far as asked.</summary>
    public async Task<Guid> TicketDeAAsync(bool enSitio = false, bool cerrado = false)
    {
        var t = (await Exito(Host.Http.SendAsync(Pedir(TokenSoporte, HttpMethod.Post, "tickets",
            new { contratoId = "00000000-0000-0000-0000-00000000b001", descripcion = "Revisión" })))).GetProperty("id").GetGuid();
        await Host.AsignarAsync(t, Guid.Parse("00000000-0000-0000-0000-00000000e001"));
        foreach (var estado in enSitio || cerrado ? new[] { "en_camino", "en_sitio" } : [])
            await Exito(Host.Http.SendAsync(TecnicoA(HttpMethod.Patch, $"tickets/{t}/progreso", new { estado })));
        if (cerrado) await Exito(Host.Http.SendAsync(TecnicoA(HttpMethod.Patch, $"tickets/{t}/cerrar", new { nota = "resuelto" })));
        return t;
    }

    /// <summary>A support ticket of A assigned to technician A and resolved by them (for the customer's confirm and reopen).</summary>
    public async Task<Guid> TicketResueltoDeAAsync()
    {
        var t = await TicketDeAAsync();
        await Exito(Host.Http.SendAsync(TecnicoA(HttpMethod.Post, $"tickets/{t}/resolucion", new { motivo = "Se reconfiguró el módem." })));
        return t;
    }

    public IEnumerable<string> IdentificadoresDeB() =>
        new object[] { ClienteB, ContratoB, TicketInstalacionB, TicketSoporteB, TecnicoB, RouterB, SerialB, ComandoB, FacturaB, FacturaIdB, PagoB, PagoComplementoB, AltaB, RfcB, NotaCreditoB, ReferenciaB, ReciboB }
            .Select(x => x.ToString()!);

    public static HttpRequestMessage Pedir(string? token, HttpMethod m, string ruta, object? cuerpo = null, bool clave = false, bool cuerpoVacio = false)
    {
        var r = new HttpRequestMessage(m, "api/" + ruta);
        if (token is not null) r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (cuerpo is not null) r.Content = JsonContent.Create(cuerpo);
        else if (cuerpoVacio && m != HttpMethod.Get) r.Content = new ByteArrayContent([]);
        if (clave) r.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        return r;
    }

    public static async Task<JsonElement> Exito(Task<HttpResponseMessage> envio)
    {
        using var r = await envio;
        var cuerpo = await r.Content.ReadAsStringAsync();
        Assert.True(r.IsSuccessStatusCode, $"{r.RequestMessage?.Method} {r.RequestMessage?.RequestUri}: {(int)r.StatusCode} {cuerpo}");
        return cuerpo.Length == 0 ? default : JsonDocument.Parse(cuerpo).RootElement.Clone();
    }
}

/// <summary>
/// A host of its own: the test compares fingerprints of the whole database around each attempt, so no
/// timer may write meanwhile (outbox relay and outage detector off).
/// </summary>
public sealed class HostAutorizacion : HostPrueba
{
    private readonly SemaphoreSlim _candado = new(1, 1);
    private Escenario? _escenario;

    protected override IDictionary<string, string?> Ajustes => new Dictionary<string, string?>(SinEscritoresDeFondo)
    {
        ["Webhooks:Pagos:Secretos:0"] = "whsec_autorizacion_de_pruebas_0123456789",
    };

    public async Task<Escenario> EscenarioAsync()
    {
        await _candado.WaitAsync();
        try
        {
            return _escenario ??= await CrearEscenarioAsync();
        }
        finally
        {
            _candado.Release();
        }
    }

    private async Task<Escenario> CrearEscenarioAsync()
    {
        using var admin = await ClienteAsync("admin");
        using var soporte = await ClienteAsync("soporte");
        using var cobranzas = await ClienteAsync("cobranzas");
        var tokenClienteA = await TokenAsync("cliente");
        var tokenTecnicoA = await TokenAsync("tecnico");
        var tokenSoporte = await TokenAsync("soporte");
        var yo = await Escenario.Exito(Http.SendAsync(Escenario.Pedir(tokenClienteA, HttpMethod.Get, "auth/yo")));

        // Customer B signs up through the public onboarding saga.
        var claveAltaB = Guid.NewGuid().ToString();
        var solicitud = HostAltas.SolicitudAlta();
        var rfcB = (string)((Dictionary<string, object?>)solicitud["cliente"]!)["rfc"]!;
        var altaB = (await Escenario.Exito(Http.SendAsync(Clientes.Datos.Post("api/altas", solicitud, claveAltaB)))).GetProperty("id").GetString()!;
        await EsperarOrquestacionesAsync();
        var alta = await Escenario.Exito(Http.GetAsync($"api/altas/{altaB}"));
        Assert.True(alta.GetProperty("estado").GetString() == "completada", alta.ToString());
        var clienteB = alta.GetProperty("clienteId").GetGuid();
        var contratoB = alta.GetProperty("contratoId").GetGuid();
        var ticketInstalacionB = alta.GetProperty("ticketId").GetGuid();

        // Technician B (no endpoint creates or reassigns technicians) takes B's installation and completes it.
        var tecnicoB = await EscalarAsync<Guid>("""
            INSERT INTO tecnicos (nombre, telefono, capacidad_diaria) VALUES ('TÉCNICO B DE PRUEBA', '+528119990001', 4) RETURNING id
            """);
        Assert.Equal(1, await EscalarAsync<int>("UPDATE tickets SET tecnico_id = @tecnicoB WHERE id = @ticketInstalacionB RETURNING 1", new { tecnicoB, ticketInstalacionB }));
        var tokenTecnicoB = TokenPara("tecnico-b", ["tecnico"], tecnicoId: tecnicoB);
        foreach (var estado in new[] { "en_camino", "en_sitio" })
            await Escenario.Exito(Http.SendAsync(Escenario.Pedir(tokenTecnicoB, HttpMethod.Patch, $"tickets/{ticketInstalacionB}/progreso", new { estado })));
        var serialB = $"ONT-B-{Guid.NewGuid():N}"[..20].ToUpperInvariant();
        var instalado = await Escenario.Exito(Http.SendAsync(Escenario.Pedir(tokenTecnicoB, HttpMethod.Patch, $"tickets/{ticketInstalacionB}/progreso",
            new { estado = "instalado", serialRouter = serialB })));
        var routerB = instalado.GetProperty("router").GetProperty("id").GetGuid();

        // B opens a support ticket, assigned to technician B, still waiting for the technician to set out.
        var tokenClienteB = TokenPara("cliente-b", ["cliente"], clienteId: clienteB);
        var ticketSoporteB = (await Escenario.Exito(Http.SendAsync(Escenario.Pedir(tokenClienteB, HttpMethod.Post, "tickets",
            new { contratoId = contratoB, descripcion = "Intermitencia" })))).GetProperty("id").GetGuid();
        await AsignarAsync(ticketSoporteB, tecnicoB);

        // A pending reset on each router; a payment of each customer (credit: no invoices yet).
        async Task<Guid> ReinicioAsync(string router) =>
            (await Escenario.Exito(soporte.SendAsync(Escenario.Pedir(null, HttpMethod.Post, $"router/{router}/reset", new { }, clave: true)))).GetProperty("id").GetGuid();
        async Task<Guid> PagoAsync(object cliente) =>
            (await Escenario.Exito(cobranzas.SendAsync(Escenario.Pedir(null, HttpMethod.Post, "pagos", new { clienteId = cliente, monto = 10.00m, metodo = "efectivo" }, clave: true))))
            .GetProperty("id").GetGuid();
        var comandoA = await ReinicioAsync("00000000-0000-0000-0000-000000007001");
        var comandoB = await ReinicioAsync(routerB.ToString());
        var pagoA = await PagoAsync("00000000-0000-0000-0000-00000000c001");
        var pagoB = await PagoAsync(clienteB);

        // A billing run two months ahead (B's contract started this month): one stamped invoice each.
        var mexico = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("America/Mexico_City"));
        var periodo = new DateTime(mexico.Year, mexico.Month, 1).AddMonths(2);
        var corrida = (await Escenario.Exito(admin.SendAsync(Escenario.Pedir(null, HttpMethod.Post, "facturacion/corridas",
            new { periodo = periodo.ToString("yyyy-MM") }, clave: true)))).GetProperty("id").GetGuid();
        await EsperarOrquestacionesAsync();
        Assert.Equal("completada", await EscalarAsync<string>("SELECT estado FROM corridas_facturacion WHERE id = @corrida", new { corrida }));
        async Task<(Guid Uuid, Guid Id)> FacturaAsync(Guid cliente)
        {
            await using var cn = new NpgsqlConnection(ConnectionString);
            return await cn.QuerySingleAsync<(Guid, Guid)>("SELECT uuid, id FROM facturas WHERE cliente_id = @cliente AND periodo = @periodo AND estado = 'timbrada'",
                new { cliente, periodo });
        }
        var facturaA = await FacturaAsync(Guid.Parse("00000000-0000-0000-0000-00000000c001"));
        var facturaB = await FacturaAsync(clienteB);
        // A partial payment of each (PPD) invoice: each customer has a payment with a stamped complement.
        async Task<Guid> PagoConComplementoAsync(object cliente, Guid factura) =>
            (await Escenario.Exito(cobranzas.SendAsync(Escenario.Pedir(null, HttpMethod.Post, "pagos",
                new { clienteId = cliente, monto = 1.00m, metodo = "efectivo", facturas = new[] { factura } }, clave: true)))).GetProperty("id").GetGuid();
        var pagoComplementoA = await PagoConComplementoAsync("00000000-0000-0000-0000-00000000c001", facturaA.Uuid);
        var pagoComplementoB = await PagoConComplementoAsync(clienteB, facturaB.Uuid);
        await EsperarOrquestacionesAsync();
        Assert.Equal(2L, await EscalarAsync<long>("SELECT count(*) FROM complementos_pago WHERE pago_id IN (@pagoComplementoA, @pagoComplementoB) AND estado = 'timbrado'",
            new { pagoComplementoA, pagoComplementoB }));

        // A credit note (CFDI E) of 1.00 on each invoice.
        async Task<Guid> NotaCreditoAsync(Guid factura) =>
            (await Escenario.Exito(cobranzas.SendAsync(Escenario.Pedir(null, HttpMethod.Post, $"facturacion/{factura}/notas-credito",
                new { monto = 1.00m, motivo = "Prueba de autorización" }, clave: true)))).GetProperty("uuid").GetGuid();
        var notaCreditoA = await NotaCreditoAsync(facturaA.Uuid);
        var notaCreditoB = await NotaCreditoAsync(facturaB.Uuid);
        // An OXXO cash reference of each customer (issued by staff, for an amount on account).
        async Task<Guid> ReferenciaAsync(object cliente) =>
            (await Escenario.Exito(cobranzas.SendAsync(Escenario.Pedir(null, HttpMethod.Post, "pagos/referencias", new { clienteId = cliente, monto = 120.50m }, clave: true))))
            .GetProperty("id").GetGuid();
        var referenciaA = await ReferenciaAsync("00000000-0000-0000-0000-00000000c001");
        var referenciaB = await ReferenciaAsync(clienteB);
        // A receipt (nota de venta, no CFDI of its own) of each customer.
        async Task<Guid> ReciboAsync(object cliente) => await EscalarAsync<Guid>("""
            WITH f AS (UPDATE series_folios SET ultimo_folio = ultimo_folio + 1 WHERE serie = 'NV' RETURNING ultimo_folio),
                 r AS (INSERT INTO facturas (serie, folio, cliente_id, subtotal, iva, total, metodo_pago, forma_pago, estado, tipo_documento, fecha_emision)
                       SELECT 'NV', f.ultimo_folio, @cliente::uuid, 100.00, 16.00, 116.00, 'PUE', '99', 'timbrada', 'recibo', now() FROM f RETURNING id),
                 l AS (INSERT INTO factura_conceptos (factura_id, numero_linea, clave_prod_serv, descripcion, cantidad, valor_unitario, importe, iva)
                       SELECT r.id, 1, '81112101', 'Internet', 1, 100.00, 100.00, 16.00 FROM r)
            SELECT id FROM r
            """, new { cliente = cliente.ToString() });
        var reciboA = await ReciboAsync("00000000-0000-0000-0000-00000000c001");
        var reciboB = await ReciboAsync(clienteB);

        return new Escenario
        {
            NotaCreditoA = notaCreditoA, NotaCreditoB = notaCreditoB,
            TokenClienteA = tokenClienteA, TokenTecnicoA = tokenTecnicoA, TokenSoporte = tokenSoporte,
            SujetoClienteA = yo.GetProperty("sujeto").GetString()!,
            SerialA = (await EscalarAsync<string>("SELECT serial FROM routers WHERE id = '00000000-0000-0000-0000-000000007001'"))!,
            SerialB = serialB, ClaveAltaB = claveAltaB, AltaB = altaB, RfcB = rfcB,
            ClienteB = clienteB, ContratoB = contratoB, TicketInstalacionB = ticketInstalacionB, TicketSoporteB = ticketSoporteB, TecnicoB = tecnicoB,
            RouterB = routerB, ComandoA = comandoA, ComandoB = comandoB, FacturaA = facturaA.Uuid, FacturaB = facturaB.Uuid, FacturaIdB = facturaB.Id,
            PagoA = pagoA, PagoB = pagoB, PagoComplementoA = pagoComplementoA, PagoComplementoB = pagoComplementoB, Corrida = corrida, Host = this,
            ReferenciaA = referenciaA, ReferenciaB = referenciaB, ReciboA = reciboA, ReciboB = reciboB,
        };
    }

    /// <summary>Assigns an open support ticket to a technician (dispatch's work, which has no endpoint).</summary>
    public async Task AsignarAsync(Guid ticket, Guid tecnico) =>
        Assert.Equal(1, await EscalarAsync<int>(
            "UPDATE tickets SET tecnico_id = @tecnico, estado = 'asignado' WHERE id = @ticket AND estado = 'abierto' RETURNING 1", new { ticket, tecnico }));
}
