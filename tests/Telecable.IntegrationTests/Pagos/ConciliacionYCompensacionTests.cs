using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Telecable.IntegrationTests.Infraestructura;
using Telecable.Orchestrations.ProcesarPago;

namespace Telecable.IntegrationTests.Pagos;

[Collection(ColeccionPagos.Nombre)]
public sealed class ConciliacionTests(HostPagos host)
{
    [Fact]
    public async Task Encuentra_cada_diferencia_sembrada_corre_una_vez_con_dos_ejecuciones_concurrentes_y_no_aplica_nada()
    {
        using var cobranzas = await host.ClienteAsync("cobranzas");
        var cliente = await DatosPagos.ClienteAsync(host);
        var gateway = $"g{Guid.NewGuid():N}"[..12];
        // Ten payments recorded on 2026-01-15 (Mexico's business day) for this gateway, one on the 16th (another period:
        // 00:00 in Mexico City is 06:00 UTC; at 00:00 UTC it was still the 15th there).
        for (var i = 0; i < 10; i++)
            await host.EscalarAsync<Guid>("""
                INSERT INTO pagos (cliente_id, monto, metodo, referencia, gateway, estado, recibido_en, aplicado_en)
                VALUES (@cliente, @monto, 'tarjeta', @referencia, @gateway, 'aplicado', '2026-01-15T12:00:00Z', '2026-01-15T12:00:01Z') RETURNING id
                """, new { cliente, monto = 100m + i, referencia = $"pi_{i}", gateway });
        await host.EscalarAsync<Guid>("""
            INSERT INTO pagos (cliente_id, monto, metodo, referencia, gateway, estado, recibido_en)
            VALUES (@cliente, 1, 'tarjeta', 'pi_otro_dia', @gateway, 'confirmado', '2026-01-16T06:00:00Z') RETURNING id
            """, new { cliente, gateway });
        var antes = await host.EscalarAsync<long>("SELECT (SELECT count(*) FROM pagos) * 1000000 + (SELECT count(*) FROM pago_aplicaciones)");

        // Planted: pi_3 missing at the gateway, pi_5 paid 1.00 less, pi_x unknown here, pi_7 reported twice.
        var movimientos = Enumerable.Range(0, 10).Where(i => i != 3)
            .Select(i => new { referencia = $"pi_{i}", monto = i == 5 ? 104m : 100m + i })
            .Append(new { referencia = "pi_x", monto = 50m }).Append(new { referencia = "pi_7", monto = 107m }).ToList();
        var reporte = new { gateway, periodo = "2026-01-15", movimientos };

        var r = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ =>
        {
            var req = new HttpRequestMessage(HttpMethod.Post, "api/pagos/conciliaciones") { Content = JsonContent.Create(reporte) };
            req.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
            return cobranzas.SendAsync(req);
        }));

        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Conflict], r.Select(x => x.StatusCode).Order());
        Assert.Equal(1, await host.EscalarAsync<long>("SELECT count(*) FROM conciliaciones WHERE gateway = @gateway", new { gateway }));
        var creada = JsonDocument.Parse(await r.Single(x => x.StatusCode == HttpStatusCode.Created).Content.ReadAsStringAsync()).RootElement;
        var id = creada.GetProperty("id").GetGuid();

        var detalle = JsonDocument.Parse(await cobranzas.GetStringAsync($"api/pagos/conciliaciones/{id}")).RootElement;
        Assert.Equal((8, 1, 1, 1, 1), (detalle.GetProperty("coincidencias").GetInt32(), detalle.GetProperty("faltantesSistema").GetInt32(),
            detalle.GetProperty("faltantesPasarela").GetInt32(), detalle.GetProperty("diferenciasMonto").GetInt32(), detalle.GetProperty("duplicadosReporte").GetInt32()));
        var hallazgos = detalle.GetProperty("hallazgos").EnumerateArray()
            .Select(h => (h.GetProperty("tipo").GetString(), h.GetProperty("referencia").GetString())).Order().ToList();
        Assert.Equal([("diferencia_monto", "pi_5"), ("duplicado_en_reporte", "pi_7"), ("faltante_en_pasarela", "pi_3"), ("faltante_en_sistema", "pi_x")], hallazgos);
        // Reconciliation never creates nor applies a payment.
        Assert.Equal(antes, await host.EscalarAsync<long>("SELECT (SELECT count(*) FROM pagos) * 1000000 + (SELECT count(*) FROM pago_aplicaciones)"));
        Assert.Equal(1, await host.EscalarAsync<long>("SELECT count(*) FROM outbox WHERE tipo = 'ConciliacionCompletada' AND agregado_id = @id", new { id = id.ToString() }));

        var lista = JsonDocument.Parse(await cobranzas.GetStringAsync("api/pagos/conciliaciones")).RootElement;
        Assert.Contains(lista.GetProperty("elementos").EnumerateArray(), c => c.GetProperty("id").GetGuid() == id);
        using var soporte = await host.ClienteAsync("soporte");
        await Problemas.AfirmarAsync(await soporte.GetAsync($"api/pagos/conciliaciones/{id}"), HttpStatusCode.Forbidden);
        await Problemas.AfirmarAsync(await cobranzas.GetAsync($"api/pagos/conciliaciones/{Guid.NewGuid()}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Reporte_invalido_es_400()
    {
        using var cobranzas = await host.ClienteAsync("cobranzas");
        var req = new HttpRequestMessage(HttpMethod.Post, "api/pagos/conciliaciones")
        {
            Content = JsonContent.Create(new { gateway = "emulada", periodo = "2026-01-15", movimientos = new[] { new { referencia = "pi", monto = 0.001m } } }),
        };
        req.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        await Problemas.AfirmarAsync(await cobranzas.SendAsync(req), HttpStatusCode.BadRequest, "movimientos[0].monto");
    }
}

/// <summary>The host with the test hook that makes ReactivarServicio (the last step) fail.</summary>
public sealed class HostPagosConFalla : HostPagos
{
    protected override string? FallarPaso => "ReactivarServicio";
}

public sealed class CompensacionTests(HostPagosConFalla host) : IClassFixture<HostPagosConFalla>
{
    [Fact]
    public async Task Si_falla_un_paso_se_deshacen_los_anteriores_en_orden_inverso()
    {
        using var cobranzas = await host.ClienteAsync("cobranzas");
        var cliente = await DatosPagos.ClienteAsync(host);
        var ppd = await DatosPagos.FacturaAsync(host, cliente, 232m, "PPD", diasParaVencer: -3);
        var contrato = await DatosPagos.ContratoSuspendidoAsync(host, cliente);

        var r = await cobranzas.SendAsync(DatosPagos.PostPago(new { clienteId = cliente, monto = 300m, metodo = "tarjeta", facturas = new[] { ppd } }, Guid.NewGuid().ToString()));
        var pago = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetGuid();
        var fin = await host.EsperarProcesoAsync(pago);

        var salida = fin.ReadOutputAs<ResultadoProcesarPago>()!;
        Assert.Equal("compensado", salida.Estado);
        Assert.Contains("ReactivarServicio", salida.Falla);
        // Applied and stamped, then undone: invoice open again, complement cancelled, credit reversed, payment back
        // to confirmed for review, contract untouched; and the customer was never told of a payment that did not stand.
        Assert.Equal("timbrada", await host.EscalarAsync<string>("SELECT estado FROM facturas WHERE id = @ppd", new { ppd }));
        Assert.Equal(0, await host.EscalarAsync<long>("SELECT count(*) FROM pago_aplicaciones WHERE pago_id = @pago", new { pago }));
        Assert.Equal("cancelado", await host.EscalarAsync<string>("SELECT estado FROM complementos_pago WHERE pago_id = @pago", new { pago }));
        Assert.Equal(0, await host.EscalarAsync<long>("SELECT count(*) FROM notificaciones WHERE pago_id = @pago", new { pago }));
        Assert.Equal(0m, await host.EscalarAsync<decimal>("SELECT saldo FROM saldos_a_favor WHERE cliente_id = @cliente", new { cliente }));
        Assert.Equal("confirmado", await host.EscalarAsync<string>("SELECT estado FROM pagos WHERE id = @pago", new { pago }));
        Assert.Equal("suspendido", await host.EscalarAsync<string>("SELECT estado FROM contratos WHERE id = @contrato", new { contrato }));
        Assert.Equal(1, await host.EscalarAsync<long>("SELECT count(*) FROM outbox WHERE tipo = 'AplicacionPagoRevertida' AND agregado_id = @p", new { p = pago.ToString() }));
    }
}
