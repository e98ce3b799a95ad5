using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Telecable.IntegrationTests.Infraestructura;

namespace Telecable.IntegrationTests.Pagos;

[Collection(ColeccionPagos.Nombre)]
public sealed class PagosTests(HostPagos host)
{
    private static string Clave() => Guid.NewGuid().ToString("N");

    private async Task<(Guid Id, HttpResponseMessage Respuesta)> PagarAsync(HttpClient c, object cuerpo)
    {
        var r = await c.SendAsync(DatosPagos.PostPago(cuerpo, Clave()));
        var texto = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.Accepted, texto);
        var id = JsonDocument.Parse(texto).RootElement.GetProperty("id").GetGuid();
        await host.EsperarProcesoAsync(id);
        return (id, r);
    }

    private Task<decimal> SaldoFacturaAsync(Guid f) => host.EscalarAsync<decimal>(
        "SELECT total - coalesce((SELECT sum(monto) FROM pago_aplicaciones WHERE factura_id = f.id), 0) FROM facturas f WHERE id = @f", new { f });

    private Task<string> EstadoFacturaAsync(Guid f) => host.EscalarAsync<string>("SELECT estado FROM facturas WHERE id = @f", new { f })!;

    [Fact]
    public async Task Pago_parcial_despues_liquidacion_con_excedente_a_saldo_a_favor_complemento_ppd_y_reactivacion()
    {
        using var cobranzas = await host.ClienteAsync("cobranzas");
        var cliente = await DatosPagos.ClienteAsync(host);
        var pue = await DatosPagos.FacturaAsync(host, cliente, 348m, "PUE");
        var ppd = await DatosPagos.FacturaAsync(host, cliente, 232m, "PPD");
        var contrato = await DatosPagos.ContratoSuspendidoAsync(host, cliente);

        // Partial payment of the PPD invoice: the rest stays due, a complement (parcialidad 1) is stamped.
        var (p1, _) = await PagarAsync(cobranzas, new { clienteId = cliente, monto = 100.00m, metodo = "spei", referencia = "SPEI-1", facturas = new[] { ppd } });
        Assert.Equal(132m, await SaldoFacturaAsync(ppd));
        Assert.Equal("timbrada", await EstadoFacturaAsync(ppd));
        Assert.Equal("timbrado", await host.EscalarAsync<string>("SELECT estado FROM complementos_pago WHERE pago_id = @p1", new { p1 }));
        var blob = await host.EscalarAsync<string>("SELECT xml_blob FROM complementos_pago WHERE pago_id = @p1", new { p1 });
        Assert.Equal($"pagos/{p1}.xml", blob);

        // Then 700 for both: PUE 348, the PPD's remaining 132 (parcialidad 2), 220 as credit.
        var (p2, _) = await PagarAsync(cobranzas, new { clienteId = cliente, monto = 700m, metodo = "efectivo", facturas = new[] { pue, ppd } });
        Assert.Equal(("pagada", "pagada"), (await EstadoFacturaAsync(pue), await EstadoFacturaAsync(ppd)));
        Assert.Equal(220m, await host.EscalarAsync<decimal>("SELECT saldo FROM saldos_a_favor WHERE cliente_id = @cliente", new { cliente }));
        Assert.Equal("aplicado", await host.EscalarAsync<string>("SELECT estado FROM pagos WHERE id = @p2", new { p2 }));
        Assert.Equal(2, await host.EscalarAsync<long>("SELECT count(*) FROM notificaciones WHERE cliente_id = @cliente AND plantilla = 'pago_aplicado'", new { cliente }));
        // Nothing overdue is left: the suspended service is back.
        Assert.Equal("activo", await host.EscalarAsync<string>("SELECT estado FROM contratos WHERE id = @contrato", new { contrato }));

        var vista = JsonDocument.Parse(await cobranzas.GetStringAsync($"api/pagos/{p2}")).RootElement;
        Assert.Equal(2, vista.GetProperty("aplicaciones").GetArrayLength());
        Assert.Equal(220m, vista.GetProperty("saldoAFavorGenerado").GetDecimal());
        // PagoRecibido and PagoAplicado for each payment, through the outbox.
        Assert.Equal(4, await host.EscalarAsync<long>(
            "SELECT count(*) FROM outbox WHERE agregado_id IN (@a, @b) AND tipo IN ('PagoRecibido', 'PagoAplicado')", new { a = p1.ToString(), b = p2.ToString() }));
    }

    [Fact]
    public async Task Sin_facturas_indicadas_se_aplica_a_la_mas_antigua_y_un_vencido_pendiente_impide_reactivar()
    {
        using var cobranzas = await host.ClienteAsync("cobranzas");
        var cliente = await DatosPagos.ClienteAsync(host);
        var vieja = await DatosPagos.FacturaAsync(host, cliente, 116m, diasParaVencer: -40);
        var nueva = await DatosPagos.FacturaAsync(host, cliente, 116m, diasParaVencer: -5);
        var contrato = await DatosPagos.ContratoSuspendidoAsync(host, cliente);

        await PagarAsync(cobranzas, new { clienteId = cliente, monto = 116m, metodo = "oxxo" });

        Assert.Equal(("pagada", "timbrada"), (await EstadoFacturaAsync(vieja), await EstadoFacturaAsync(nueva)));
        Assert.Equal("suspendido", await host.EscalarAsync<string>("SELECT estado FROM contratos WHERE id = @contrato", new { contrato }));
    }

    [Fact]
    public async Task Idempotency_key_misma_solicitud_repite_respuesta_otra_422_sin_clave_400()
    {
        using var cobranzas = await host.ClienteAsync("cobranzas");
        var cliente = await DatosPagos.ClienteAsync(host);
        var cuerpo = new { clienteId = cliente, monto = 50m, metodo = "efectivo" };
        var clave = Clave();

        var r1 = await cobranzas.SendAsync(DatosPagos.PostPago(cuerpo, clave));
        var r2 = await cobranzas.SendAsync(DatosPagos.PostPago(cuerpo, clave));
        Assert.Equal(HttpStatusCode.Accepted, r1.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, r2.StatusCode);
        Assert.Equal(await r1.Content.ReadAsStringAsync(), await r2.Content.ReadAsStringAsync());
        Assert.True(r2.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(1, await host.EscalarAsync<long>("SELECT count(*) FROM pagos WHERE cliente_id = @cliente", new { cliente }));

        await Problemas.AfirmarAsync(await cobranzas.SendAsync(DatosPagos.PostPago(cuerpo with { monto = 51m }, clave)), HttpStatusCode.UnprocessableEntity);
        await Problemas.AfirmarAsync(await cobranzas.SendAsync(DatosPagos.PostPago(cuerpo)), HttpStatusCode.BadRequest, "Idempotency-Key");
        Assert.Equal(1, await host.EscalarAsync<long>("SELECT count(*) FROM pagos WHERE cliente_id = @cliente", new { cliente }));
        await host.EsperarProcesoAsync(JsonDocument.Parse(await r1.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task Validaciones_de_monto_facturas_y_roles()
    {
        using var cobranzas = await host.ClienteAsync("cobranzas");
        var cliente = await DatosPagos.ClienteAsync(host);
        var otro = await DatosPagos.ClienteAsync(host);
        var ajena = await DatosPagos.FacturaAsync(host, otro, 100m);
        var cancelada = await DatosPagos.FacturaAsync(host, cliente, 100m, estado: "cancelada");

        async Task Mal(object cuerpo, string campo) =>
            await Problemas.AfirmarAsync(await cobranzas.SendAsync(DatosPagos.PostPago(cuerpo, Clave())), HttpStatusCode.BadRequest, campo);
        await Mal(new { clienteId = cliente, monto = 0m, metodo = "efectivo" }, "monto");
        await Mal(new { clienteId = cliente, monto = -5m, metodo = "efectivo" }, "monto");
        await Mal(new { clienteId = cliente, monto = 10.001m, metodo = "efectivo" }, "monto");
        await Mal(new { clienteId = cliente, monto = 10m, metodo = "cheque" }, "metodo");
        await Mal(new { clienteId = Guid.NewGuid(), monto = 10m, metodo = "efectivo" }, "clienteId");
        await Mal(new { clienteId = cliente, monto = 10m, metodo = "efectivo", facturas = new[] { ajena } }, "facturas[0]");
        await Mal(new { clienteId = cliente, monto = 10m, metodo = "efectivo", facturas = new[] { Guid.NewGuid() } }, "facturas[0]");
        await Mal(new { clienteId = cliente, monto = 10m, metodo = "efectivo", facturas = new[] { cancelada } }, "facturas[0]");
        await Problemas.AfirmarAsync(await cobranzas.SendAsync(new HttpRequestMessage(HttpMethod.Post, "api/pagos")
        {
            Content = new StringContent("""{"clienteId":"x","monto":"mucho"}""", System.Text.Encoding.UTF8, "application/json"),
            Headers = { { "Idempotency-Key", Clave() } },
        }), HttpStatusCode.BadRequest);
        Assert.Equal(0, await host.EscalarAsync<long>("SELECT count(*) FROM pagos WHERE cliente_id = @cliente", new { cliente }));

        using var soporte = await host.ClienteAsync("soporte");
        await Problemas.AfirmarAsync(await soporte.SendAsync(DatosPagos.PostPago(new { clienteId = cliente, monto = 1m, metodo = "efectivo" }, Clave())), HttpStatusCode.Forbidden);
        await Problemas.AfirmarAsync(await host.Http.SendAsync(DatosPagos.PostPago(new { clienteId = cliente, monto = 1m, metodo = "efectivo" }, Clave())), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Un_cliente_ve_sus_pagos_y_recibe_404_por_los_ajenos()
    {
        using var cobranzas = await host.ClienteAsync("cobranzas");
        var cliente = await DatosPagos.ClienteAsync(host);
        var (id, _) = await PagarAsync(cobranzas, new { clienteId = cliente, monto = 5m, metodo = "efectivo" });
        using var suyo = new HttpClient { BaseAddress = host.Http.BaseAddress };
        suyo.DefaultRequestHeaders.Authorization = new("Bearer", host.TokenPara("c-propio", ["cliente"], cliente));
        Assert.Equal(HttpStatusCode.OK, (await suyo.GetAsync($"api/pagos/{id}")).StatusCode);
        using var ajeno = new HttpClient { BaseAddress = host.Http.BaseAddress };
        ajeno.DefaultRequestHeaders.Authorization = new("Bearer", host.TokenPara("c-ajeno", ["cliente"], Guid.NewGuid()));
        await Problemas.AfirmarAsync(await ajeno.GetAsync($"api/pagos/{id}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Pendientes_por_cliente_y_rango_de_antiguedad()
    {
        using var cobranzas = await host.ClienteAsync("cobranzas");
        var cliente = await DatosPagos.ClienteAsync(host);
        await DatosPagos.FacturaAsync(host, cliente, 100m, diasParaVencer: 5);
        await DatosPagos.FacturaAsync(host, cliente, 200m, diasParaVencer: -10);
        await DatosPagos.FacturaAsync(host, cliente, 300m, diasParaVencer: -45);
        await DatosPagos.FacturaAsync(host, cliente, 400m, diasParaVencer: -120);
        await DatosPagos.FacturaAsync(host, cliente, 999m, diasParaVencer: -120, estado: "cancelada");

        var lista = JsonDocument.Parse(await cobranzas.GetStringAsync($"api/pagos/pendientes?clienteId={cliente}")).RootElement;
        var c = Assert.Single(lista.GetProperty("elementos").EnumerateArray());
        Assert.Equal(1000m, c.GetProperty("total").GetDecimal());
        var r = c.GetProperty("porRango");
        Assert.Equal((100m, 200m, 300m, 0m, 400m), (r.GetProperty("porVencer").GetDecimal(), r.GetProperty("0-30").GetDecimal(),
            r.GetProperty("31-60").GetDecimal(), r.GetProperty("61-90").GetDecimal(), r.GetProperty("90+").GetDecimal()));
        await Problemas.AfirmarAsync(await cobranzas.GetAsync("api/pagos/pendientes?clienteId=x"), HttpStatusCode.BadRequest, "clienteId");
        using var cliente403 = await host.ClienteAsync("cliente");
        await Problemas.AfirmarAsync(await cliente403.GetAsync("api/pagos/pendientes"), HttpStatusCode.Forbidden);
    }
}
