using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Telecable.IntegrationTests.Infraestructura;

namespace Telecable.IntegrationTests.Pagos;

/// <summary>Bank statement import (BBVA/Banorte CSV export) for transfers outside the aggregator: matched lines become
/// payments, unmatched ones wait for an operator, re-importing adds nothing.</summary>
[Collection(ColeccionPagos.Nombre)]
public sealed class EstadosDeCuentaTests(HostPagos host)
{
    private static HttpRequestMessage Post(string ruta, object cuerpo)
    {
        var r = new HttpRequestMessage(HttpMethod.Post, ruta) { Content = JsonContent.Create(cuerpo) };
        r.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        return r;
    }

    [Fact]
    public async Task Un_estado_de_cuenta_empata_por_referencia_y_monto_y_encola_lo_que_no_empata_para_asignarlo()
    {
        var cliente = await DatosPagos.ClienteAsync(host);
        // PPD: a payment found by reconciliation goes through the same saga and gets its one Pagos 2.0 complement (issue 17).
        var factura = await DatosPagos.FacturaAsync(host, cliente, 450m, "PPD");
        var folio = await host.EscalarAsync<long>("SELECT folio FROM facturas WHERE id = @factura", new { factura });
        var otra = await DatosPagos.FacturaAsync(host, cliente, 300m);
        var folioOtra = await host.EscalarAsync<long>("SELECT folio FROM facturas WHERE id = @otra", new { otra });
        var desconocida = $"{Random.Shared.Next(100_000, 999_999)}77";
        var csv = $"""
            Fecha,Concepto,Referencia,Cargo,Abono,Saldo
            03/12/2026,SPEI RECIBIDO BANORTE JUAN PEREZ,{folio},,450.00,"10,450.00"
            03/12/2026,COMISION MANEJO DE CUENTA,0,15.00,,"10,435.00"
            03/12/2026,SPEI RECIBIDO SANTANDER MARIA LOPEZ,{desconocida},,"1,250.00","11,685.00"
            03/12/2026,DEPOSITO EN EFECTIVO,{folioOtra},,299.00,"11,984.00"
            """;
        using var cobranzas = await host.ClienteAsync("cobranzas");

        var r = await cobranzas.SendAsync(Post("api/pagos/estados-de-cuenta", new { banco = "bbva", contenido = csv }));
        var texto = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.OK, texto);
        var resultado = JsonDocument.Parse(texto).RootElement;
        // Three credits (the fee is a charge): the invoice's folio for its exact balance is paid; an unknown reference and
        // a right folio for the wrong amount wait for an operator.
        Assert.Equal((3, 1, 2, 0), (resultado.GetProperty("abonos").GetInt32(), resultado.GetProperty("aplicados").GetInt32(),
            resultado.GetProperty("pendientes").GetInt32(), resultado.GetProperty("repetidos").GetInt32()));
        var pagoId = resultado.GetProperty("pagos")[0].GetGuid();
        await host.EsperarProcesoAsync(pagoId);
        Assert.Equal("pagada", await host.EscalarAsync<string>("SELECT estado FROM facturas WHERE id = @factura", new { factura }));
        Assert.Equal("timbrado", await host.EscalarAsync<string>("SELECT estado FROM complementos_pago WHERE pago_id = @pagoId", new { pagoId }));

        // The same statement imported again (the next day's export overlaps): nothing new.
        var otraVez = JsonDocument.Parse(await (await cobranzas.SendAsync(Post("api/pagos/estados-de-cuenta", new { banco = "bbva", contenido = csv }))).Content.ReadAsStringAsync()).RootElement;
        Assert.Equal((0, 0, 3), (otraVez.GetProperty("aplicados").GetInt32(), otraVez.GetProperty("pendientes").GetInt32(), otraVez.GetProperty("repetidos").GetInt32()));

        // The queue, in the one page shape; the operator assigns the unknown transfer to the customer.
        var pendientes = JsonDocument.Parse(await cobranzas.GetStringAsync("api/pagos/movimientos-bancarios/pendientes?tamano=200")).RootElement;
        Assert.True(pendientes.GetProperty("total").GetInt64() >= 2);
        var linea = pendientes.GetProperty("elementos").EnumerateArray().Single(e => e.GetProperty("referencia").GetString() == desconocida);
        Assert.Equal(1250m, linea.GetProperty("monto").GetDecimal());
        var id = linea.GetProperty("id").GetGuid();
        var asignado = JsonDocument.Parse(await (await cobranzas.SendAsync(Post($"api/pagos/movimientos-bancarios/{id}/asignacion", new { clienteId = cliente, facturas = new[] { otra } }))).Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("asignado", asignado.GetProperty("estado").GetString());
        var pagoAsignado = asignado.GetProperty("pagoId").GetGuid();
        await host.EsperarProcesoAsync(pagoAsignado);
        Assert.Equal("pagada", await host.EscalarAsync<string>("SELECT estado FROM facturas WHERE id = @otra", new { otra }));
        Assert.Equal(950m, await host.EscalarAsync<decimal>("SELECT saldo FROM saldos_a_favor WHERE cliente_id = @cliente", new { cliente }));
        // Assigned again to another customer: 409; to the same one: the same payment.
        var otroCliente = await DatosPagos.ClienteAsync(host);
        await Problemas.AfirmarAsync(await cobranzas.SendAsync(Post($"api/pagos/movimientos-bancarios/{id}/asignacion", new { clienteId = otroCliente })), HttpStatusCode.Conflict);
        Assert.Equal(1L, await host.EscalarAsync<long>("SELECT count(*) FROM pagos WHERE gateway = 'banco' AND referencia = @desconocida", new { desconocida }));
    }

    [Fact]
    public async Task Un_archivo_que_no_es_del_banco_nombra_el_problema()
    {
        using var cobranzas = await host.ClienteAsync("cobranzas");
        await Problemas.AfirmarAsync(await cobranzas.SendAsync(Post("api/pagos/estados-de-cuenta", new { banco = "bbva", contenido = "a,b\n1,2\n" })), HttpStatusCode.BadRequest, "contenido");
        await Problemas.AfirmarAsync(await cobranzas.SendAsync(Post("api/pagos/estados-de-cuenta", new { banco = "bancox", contenido = "x" })), HttpStatusCode.BadRequest, "banco");
        await Problemas.AfirmarAsync(await cobranzas.SendAsync(Post("api/pagos/estados-de-cuenta",
            new { banco = "banorte", contenido = "Fecha,Concepto,Referencia,Cargo,Abono,Saldo\n31/02/2026,X,1,,10.00,10.00\n" })), HttpStatusCode.BadRequest, "contenido.linea2");
    }
}
