using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Telecable.IntegrationTests.Infraestructura;

namespace Telecable.IntegrationTests.Pagos;

/// <summary>The customer portal's "Pagar": the emulated gateway charges and delivers its signed webhook.</summary>
[Collection(ColeccionPagos.Nombre)]
public sealed class PagoEnLineaTests(HostPagos host)
{
    private HttpClient ComoCliente(Guid clienteId)
    {
        var c = new HttpClient { BaseAddress = host.Http.BaseAddress };
        c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", host.TokenPara($"cliente-{clienteId:N}", ["cliente"], clienteId));
        return c;
    }

    private static HttpRequestMessage Post(object cuerpo, string clave)
    {
        var m = new HttpRequestMessage(HttpMethod.Post, "api/pagos/en-linea") { Content = JsonContent.Create(cuerpo) };
        m.Headers.Add("Idempotency-Key", clave);
        return m;
    }

    [Fact]
    public async Task El_cliente_paga_sus_facturas_por_la_pasarela_y_quedan_pagadas_una_sola_vez()
    {
        var cliente = await DatosPagos.ClienteAsync(host);
        var factura = await DatosPagos.FacturaAsync(host, cliente, 580.00m);
        var uuid = await host.EscalarAsync<Guid>("SELECT uuid FROM facturas WHERE id = @factura", new { factura });
        using var c = ComoCliente(cliente);

        var clave = Guid.NewGuid().ToString();
        var r1 = await c.SendAsync(Post(new { facturas = new[] { uuid } }, clave));
        var r2 = await c.SendAsync(Post(new { facturas = new[] { uuid } }, clave));
        var texto = await r1.Content.ReadAsStringAsync();
        Assert.True(r1.StatusCode == HttpStatusCode.Accepted, texto);
        Assert.Equal(texto, await r2.Content.ReadAsStringAsync()); // the repeat replays, it does not charge again
        var pago = JsonDocument.Parse(texto).RootElement;
        Assert.Equal(580.00m, pago.GetProperty("monto").GetDecimal());
        await host.EsperarProcesoAsync(pago.GetProperty("pagoId").GetGuid());

        Assert.Equal("pagada", await host.EscalarAsync<string>("SELECT estado FROM facturas WHERE id = @factura", new { factura }));
        Assert.Equal(1L, await host.EscalarAsync<long>("SELECT count(*) FROM pagos WHERE cliente_id = @cliente", new { cliente }));
        // It went through the webhook pipeline: the signed delivery was verified and recorded as accepted.
        Assert.Equal(1L, await host.EscalarAsync<long>(
            "SELECT count(*) FROM webhook_eventos WHERE gateway = 'emulada' AND aceptado AND cuerpo LIKE '%' || @cliente || '%'", new { cliente = cliente.ToString() }));

        // Paid already: nothing left to charge.
        await Problemas.AfirmarAsync(await c.SendAsync(Post(new { facturas = new[] { uuid } }, Guid.NewGuid().ToString())), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Nadie_paga_facturas_de_otro_cliente_y_el_personal_no_usa_este_endpoint()
    {
        var duena = await DatosPagos.ClienteAsync(host);
        var factura = await DatosPagos.FacturaAsync(host, duena, 100m);
        var uuid = await host.EscalarAsync<Guid>("SELECT uuid FROM facturas WHERE id = @factura", new { factura });
        var otro = await DatosPagos.ClienteAsync(host);
        using var c = ComoCliente(otro);
        await Problemas.AfirmarAsync(await c.SendAsync(Post(new { facturas = new[] { uuid } }, Guid.NewGuid().ToString())), HttpStatusCode.NotFound);
        await Problemas.AfirmarAsync(await c.SendAsync(Post(new { facturas = Array.Empty<Guid>() }, Guid.NewGuid().ToString())), HttpStatusCode.BadRequest, "facturas");
        using var cobranzas = await host.ClienteAsync("cobranzas");
        await Problemas.AfirmarAsync(await cobranzas.SendAsync(Post(new { facturas = new[] { uuid } }, Guid.NewGuid().ToString())), HttpStatusCode.Forbidden);
        Assert.Equal("timbrada", await host.EscalarAsync<string>("SELECT estado FROM facturas WHERE id = @factura", new { factura }));
    }
}
