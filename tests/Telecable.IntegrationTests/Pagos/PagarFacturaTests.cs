using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Telecable.IntegrationTests.Infraestructura;

namespace Telecable.IntegrationTests.Pagos;

/// <summary>PATCH /api/facturacion/{uuid}/pagar goes through the payment path: a PPD invoice gets its complement, a
/// partly paid one is paid its balance, repeating it is idempotent, over-application is a 409 problem.</summary>
[Collection(ColeccionPagos.Nombre)]
public sealed class PagarFacturaTests(HostPagos host)
{
    private Task<Guid> UuidAsync(Guid factura) => host.EscalarAsync<Guid>("SELECT uuid FROM facturas WHERE id = @factura", new { factura });

    private static async Task<JsonElement> PagarAsync(HttpClient c, Guid uuid, object? cuerpo = null)
    {
        var r = await c.PatchAsync($"api/facturacion/{uuid}/pagar", cuerpo is null ? null : JsonContent.Create(cuerpo));
        var texto = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.OK, texto);
        return JsonDocument.Parse(texto).RootElement.Clone();
    }

    [Fact]
    public async Task Pagar_una_factura_PPD_aplica_el_pago_y_timbra_un_complemento_una_sola_vez()
    {
        using var cobranzas = await host.ClienteAsync("cobranzas");
        var (_, factura, _) = await DatosPagos.FacturaConIepsAsync(host);
        var uuid = await UuidAsync(factura);

        var primero = await PagarAsync(cobranzas, uuid, new { metodo = "spei", referencia = "SPEI-PATCH" });
        var segundo = await PagarAsync(cobranzas, uuid);

        Assert.Equal(("pagada", 654.82m), (primero.GetProperty("estado").GetString(), primero.GetProperty("monto").GetDecimal()));
        var pago = primero.GetProperty("pagoId").GetGuid();
        Assert.Equal(pago, segundo.GetProperty("pagoId").GetGuid());
        Assert.Equal(1L, await host.EscalarAsync<long>("SELECT count(*) FROM pago_aplicaciones WHERE factura_id = @factura", new { factura }));
        Assert.Equal(1L, await host.EscalarAsync<long>("SELECT count(*) FROM complementos_pago WHERE pago_id = @pago AND estado = 'timbrado'", new { pago }));
        Assert.Equal("aplicado", await host.EscalarAsync<string>("SELECT estado FROM pagos WHERE id = @pago", new { pago }));
    }

    [Fact]
    public async Task Pagar_una_factura_parcialmente_pagada_paga_su_saldo_con_la_parcialidad_siguiente()
    {
        using var cobranzas = await host.ClienteAsync("cobranzas");
        var (cliente, factura, _) = await DatosPagos.FacturaConIepsAsync(host);
        var uuid = await UuidAsync(factura);
        var r = await cobranzas.SendAsync(DatosPagos.PostPago(new { clienteId = cliente, monto = 300m, metodo = "efectivo", facturas = new[] { uuid } }, Guid.NewGuid().ToString("N")));
        Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);
        await host.EsperarProcesoAsync(JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetGuid());

        var pagado = await PagarAsync(cobranzas, uuid);

        Assert.Equal(("pagada", 354.82m), (pagado.GetProperty("estado").GetString(), pagado.GetProperty("monto").GetDecimal()));
        var pago = pagado.GetProperty("pagoId").GetGuid();
        Assert.Equal(654.82m, await host.EscalarAsync<decimal>("SELECT sum(monto) FROM pago_aplicaciones WHERE factura_id = @factura", new { factura }));
        Assert.Equal(0m, await host.EscalarAsync<decimal>("SELECT coalesce(sum(monto), 0) FROM movimientos_saldo WHERE pago_id = @pago", new { pago }));
        Assert.Equal("timbrado", await host.EscalarAsync<string>("SELECT estado FROM complementos_pago WHERE pago_id = @pago", new { pago }));
    }

    [Fact]
    public async Task Sobreaplicar_o_pagar_con_otro_pago_en_curso_es_409_problem_json_nunca_500()
    {
        using var cobranzas = await host.ClienteAsync("cobranzas");
        var (cliente, factura, _) = await DatosPagos.FacturaConIepsAsync(host);
        var uuid = await UuidAsync(factura);
        // Its whole total already applied while it still reads 'timbrada' (what a legacy import could leave).
        await host.EscalarAsync<int>("""
            WITH p AS (INSERT INTO pagos (cliente_id, monto, metodo, estado, aplicado_en, saga_iniciada_en) VALUES (@cliente, 654.82, 'efectivo', 'aplicado', now(), now()) RETURNING id)
            INSERT INTO pago_aplicaciones (pago_id, factura_id, monto) SELECT id, @factura, 654.82 FROM p;
            SELECT 1
            """, new { cliente, factura });

        var p = await Problemas.AfirmarAsync(await cobranzas.PatchAsync($"api/facturacion/{uuid}/pagar", null), HttpStatusCode.Conflict);
        Assert.Equal("sobreaplicacion", p.GetProperty("code").GetString());

        var (cliente2, factura2, _) = await DatosPagos.FacturaConIepsAsync(host);
        var uuid2 = await UuidAsync(factura2);
        // Another payment naming it, confirmed and not yet applied (its saga not started): the balance is not known yet.
        await host.EscalarAsync<int>("""
            INSERT INTO pagos (cliente_id, monto, metodo, estado, facturas_solicitadas, saga_iniciada_en) VALUES (@cliente2, 10, 'efectivo', 'confirmado', ARRAY[@factura2], now());
            SELECT 1
            """, new { cliente2, factura2 });
        p = await Problemas.AfirmarAsync(await cobranzas.PatchAsync($"api/facturacion/{uuid2}/pagar", null), HttpStatusCode.Conflict);
        Assert.Equal("pago_en_proceso", p.GetProperty("code").GetString());
        await Problemas.AfirmarAsync(await cobranzas.PatchAsync($"api/facturacion/{uuid2}/pagar", JsonContent.Create(new { metodo = "cheque" })), HttpStatusCode.BadRequest, "metodo");
    }

    [Fact]
    public async Task Una_factura_PPD_con_complementos_vigentes_no_se_cancela()
    {
        using var cobranzas = await host.ClienteAsync("cobranzas");
        var (cliente, factura, _) = await DatosPagos.FacturaConIepsAsync(host);
        var uuid = await UuidAsync(factura);
        var r = await cobranzas.SendAsync(DatosPagos.PostPago(new { clienteId = cliente, monto = 300m, metodo = "efectivo", facturas = new[] { uuid } }, Guid.NewGuid().ToString("N")));
        var pago = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetGuid();
        await host.EsperarProcesoAsync(pago);
        var complemento = await host.EscalarAsync<Guid>("SELECT uuid FROM complementos_pago WHERE pago_id = @pago AND estado = 'timbrado'", new { pago });

        var req = new HttpRequestMessage(HttpMethod.Post, $"api/facturacion/{uuid}/cancelacion") { Content = JsonContent.Create(new { motivo = "02" }) };
        req.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        var p = await Problemas.AfirmarAsync(await cobranzas.SendAsync(req), HttpStatusCode.Conflict);

        Assert.Equal("complementos_activos", p.GetProperty("code").GetString());
        Assert.Contains(complemento.ToString().ToUpperInvariant(), p.GetProperty("detail").GetString());
        Assert.Equal("timbrada", await host.EscalarAsync<string>("SELECT estado FROM facturas WHERE id = @factura", new { factura }));
    }
}
