using System.Net;
using System.Text.Json;
using Telecable.Infrastructure.Pagos;
using Telecable.IntegrationTests.Infraestructura;

namespace Telecable.IntegrationTests.Pagos;

/// <summary>Refunds and chargebacks from the card gateway (charge.refunded, charge.dispute.created): the application is
/// reversed, the invoice's balance reopens, the payment complement is cancelled; each event is idempotent.</summary>
[Collection(ColeccionPagos.Nombre)]
public sealed class ReversosPagoTests(HostPagos host)
{
    private static string Evento() => $"evt_{Guid.NewGuid():N}";

    /// <summary>A card payment through the signed webhook, applied by ProcesarPago.</summary>
    private async Task<(Guid PagoId, string Intento)> PagoAplicadoAsync(Guid cliente, decimal monto, params Guid[] facturas)
    {
        var intento = $"pi_{Guid.NewGuid():N}";
        var cuerpo = AdaptadorPasarelaEmulada.CuerpoPagoExitoso(Evento(), intento, cliente, monto, facturas: facturas);
        var r = await host.WebhookAsync(cuerpo, HostPagos.Firmar(cuerpo));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var pagoId = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("pagoId").GetGuid();
        await host.EsperarProcesoAsync(pagoId);
        Assert.Equal("aplicado", await host.EscalarAsync<string>("SELECT estado FROM pagos WHERE id = @pagoId", new { pagoId }));
        return (pagoId, intento);
    }

    private async Task<HttpResponseMessage> ReversoAsync(string eventoId, string tipo, string intento, decimal monto)
    {
        var cuerpo = AdaptadorPasarelaEmulada.CuerpoReverso(eventoId, tipo, intento, monto);
        return await host.WebhookAsync(cuerpo, HostPagos.Firmar(cuerpo));
    }

    /// <summary>The IniciarReversosPago timer runs every second in the test host.</summary>
    private async Task<string> EsperarEstadoAsync(Guid pagoId, string esperado)
    {
        string? estado = null;
        for (var i = 0; i < 600 && estado != esperado; i++)
        {
            estado = await host.EscalarAsync<string>("SELECT estado FROM pagos WHERE id = @pagoId", new { pagoId });
            if (estado != esperado) await Task.Delay(100);
        }
        return estado!;
    }

    [Fact]
    public async Task Un_reembolso_reabre_la_factura_PPD_cancela_el_complemento_y_repetido_no_hace_nada_mas()
    {
        var (cliente, factura, _) = await DatosPagos.FacturaConIepsAsync(host);
        var (pagoId, intento) = await PagoAplicadoAsync(cliente, 654.82m, factura);
        Assert.Equal("timbrado", await host.EscalarAsync<string>("SELECT estado FROM complementos_pago WHERE pago_id = @pagoId", new { pagoId }));
        Assert.Equal("pagada", await host.EscalarAsync<string>("SELECT estado FROM facturas WHERE id = @factura", new { factura }));

        var evento = Evento();
        var r = await ReversoAsync(evento, AdaptadorPasarelaEmulada.TipoReembolso, intento, 654.82m);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);

        Assert.Equal("reembolsado", await EsperarEstadoAsync(pagoId, "reembolsado"));
        Assert.Equal("timbrada", await host.EscalarAsync<string>("SELECT estado FROM facturas WHERE id = @factura", new { factura }));
        Assert.Equal(0L, await host.EscalarAsync<long>("SELECT count(*) FROM pago_aplicaciones WHERE pago_id = @pagoId", new { pagoId }));
        Assert.Equal("cancelado", await host.EscalarAsync<string>("SELECT estado FROM complementos_pago WHERE pago_id = @pagoId", new { pagoId }));
        Assert.Equal("aplicado", await host.EscalarAsync<string>("SELECT estado FROM pago_reversos WHERE pago_id = @pagoId", new { pagoId }));
        Assert.Equal(1L, await host.EscalarAsync<long>(
            "SELECT count(*) FROM outbox WHERE tipo = 'PagoReembolsado' AND agregado_id = @id", new { id = pagoId.ToString() }));

        // The same event again, and a dispute after the refund: recorded, nothing more changes.
        var otra = await ReversoAsync(evento, AdaptadorPasarelaEmulada.TipoReembolso, intento, 654.82m);
        Assert.True(JsonDocument.Parse(await otra.Content.ReadAsStringAsync()).RootElement.GetProperty("duplicado").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, (await ReversoAsync(Evento(), AdaptadorPasarelaEmulada.TipoContracargo, intento, 654.82m)).StatusCode);
        await Task.Delay(1500);
        Assert.Equal("reembolsado", await host.EscalarAsync<string>("SELECT estado FROM pagos WHERE id = @pagoId", new { pagoId }));
        Assert.Equal(("reembolso", 1L), (await host.ConsultarAsync<(string, long)>(
            "SELECT tipo, count(*) OVER () FROM pago_reversos WHERE pago_id = @pagoId", new { pagoId })).Single());
        Assert.Equal(1L, await host.EscalarAsync<long>(
            "SELECT count(*) FROM outbox WHERE tipo IN ('PagoReembolsado', 'PagoContracargado') AND agregado_id = @id", new { id = pagoId.ToString() }));
    }

    [Fact]
    public async Task Un_contracargo_reabre_la_factura_y_carga_el_saldo_a_favor_que_el_pago_dejo()
    {
        var cliente = await DatosPagos.ClienteAsync(host);
        var factura = await DatosPagos.FacturaAsync(host, cliente, 300m);
        var (pagoId, intento) = await PagoAplicadoAsync(cliente, 350m, factura);
        Assert.Equal(50m, await host.EscalarAsync<decimal>("SELECT saldo FROM saldos_a_favor WHERE cliente_id = @cliente", new { cliente }));

        Assert.Equal(HttpStatusCode.OK, (await ReversoAsync(Evento(), AdaptadorPasarelaEmulada.TipoContracargo, intento, 350m)).StatusCode);

        Assert.Equal("contracargado", await EsperarEstadoAsync(pagoId, "contracargado"));
        Assert.Equal("timbrada", await host.EscalarAsync<string>("SELECT estado FROM facturas WHERE id = @factura", new { factura }));
        Assert.Equal(0m, await host.EscalarAsync<decimal?>("SELECT saldo FROM saldos_a_favor WHERE cliente_id = @cliente", new { cliente }) ?? 0m);
        // The reopened balance is owed again.
        using var cobranzas = await host.ClienteAsync("cobranzas");
        Assert.Contains(factura.ToString(), await cobranzas.GetStringAsync($"api/pagos/pendientes?clienteId={cliente}"));
    }

    [Fact]
    public async Task Un_reembolso_mayor_que_el_pago_va_a_revision_manual_y_el_pago_sigue_aplicado()
    {
        var cliente = await DatosPagos.ClienteAsync(host);
        var factura = await DatosPagos.FacturaAsync(host, cliente, 200m);
        var (pagoId, intento) = await PagoAplicadoAsync(cliente, 200m, factura);

        Assert.Equal(HttpStatusCode.OK, (await ReversoAsync(Evento(), AdaptadorPasarelaEmulada.TipoReembolso, intento, 250m)).StatusCode);

        string? estado = null;
        for (var i = 0; i < 600 && estado != "revision_manual"; i++, await Task.Delay(100))
            estado = await host.EscalarAsync<string>("SELECT estado FROM pago_reversos WHERE pago_id = @pagoId", new { pagoId });
        Assert.Equal("revision_manual", estado);
        Assert.Equal("aplicado", await host.EscalarAsync<string>("SELECT estado FROM pagos WHERE id = @pagoId", new { pagoId }));
        Assert.Equal("pagada", await host.EscalarAsync<string>("SELECT estado FROM facturas WHERE id = @factura", new { factura }));
    }

    [Fact]
    public async Task Un_reembolso_de_un_pago_que_no_existe_es_400_que_nombra_el_pago()
    {
        var problema = await Problemas.AfirmarAsync(await ReversoAsync(Evento(), AdaptadorPasarelaEmulada.TipoReembolso, $"pi_{Guid.NewGuid():N}", 10m),
            HttpStatusCode.BadRequest, "data.object.payment_intent");
        Assert.Contains("pago_desconocido", problema.GetRawText());
    }
}
