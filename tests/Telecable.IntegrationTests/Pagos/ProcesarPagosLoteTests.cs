using System.Net;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Telecable.IntegrationTests.Infraestructura;
using Telecable.Orchestrations.ProcesarPago;

namespace Telecable.IntegrationTests.Pagos;

/// <summary>Payments processed in a batch (ProcesarPagosLote, issue 24) keep each payment's saga: PPD complement,
/// reactivation, receipt, exactly once however often the batch runs; and a burst goes to batches through the timer.</summary>
[Collection(ColeccionPagos.Nombre)]
public sealed class ProcesarPagosLoteTests(HostPagos host)
{
    [Fact]
    public async Task Cada_pago_del_lote_sigue_su_saga_y_un_lote_repetido_no_cambia_nada()
    {
        var cliente = await DatosPagos.ClienteAsync(host);
        var ppd = await DatosPagos.FacturaAsync(host, cliente, 232m, "PPD", diasParaVencer: -3);
        var contrato = await DatosPagos.ContratoSuspendidoAsync(host, cliente);
        var otro = await DatosPagos.ClienteAsync(host);
        var pue = await DatosPagos.FacturaAsync(host, otro, 100m);
        var p1 = await LotesPagos.ConfirmadoAsync(host, cliente, 300m, ppd);
        var p2 = await LotesPagos.ConfirmadoAsync(host, otro, 100m, pue);

        var salida = await LotesPagos.CorrerAsync(host, [p1, p2]);
        Assert.All(salida, r => Assert.Equal("completado", r.Estado));
        var r1 = Assert.Single(salida, r => r.PagoId == p1);
        Assert.NotNull(r1.ComplementoUuid);
        Assert.Equal(1, r1.ContratosReactivados);
        Assert.Equal("activo", await host.EscalarAsync<string>("SELECT estado FROM contratos WHERE id = @contrato", new { contrato }));

        // The same payments in another batch (a re-delivered or second batch): nothing happens twice.
        var otra = await LotesPagos.CorrerAsync(host, [p2, p1]);
        Assert.Equal(r1.ComplementoUuid, Assert.Single(otra, r => r.PagoId == p1).ComplementoUuid);
        foreach (var p in new[] { p1, p2 })
        {
            Assert.Equal("aplicado", await host.EscalarAsync<string>("SELECT estado FROM pagos WHERE id = @p", new { p }));
            Assert.Equal(1L, await host.EscalarAsync<long>("SELECT count(*) FROM pago_aplicaciones WHERE pago_id = @p", new { p }));
            Assert.Equal(1L, await host.EscalarAsync<long>("SELECT count(*) FROM outbox WHERE tipo = 'PagoAplicado' AND agregado_id = @s", new { s = p.ToString() }));
            Assert.Equal(1L, await host.EscalarAsync<long>("SELECT count(*) FROM notificaciones WHERE pago_id = @p", new { p }));
        }
        Assert.Equal(1L, await host.EscalarAsync<long>("SELECT count(*) FROM complementos_pago WHERE pago_id = @p1", new { p1 }));
        Assert.Equal(0L, await host.EscalarAsync<long>("SELECT count(*) FROM complementos_pago WHERE pago_id = @p2", new { p2 }));
        Assert.Equal(1L, await host.EscalarAsync<long>("SELECT count(*) FROM pago_reactivaciones WHERE pago_id = @p1", new { p1 }));
        Assert.Equal("pagada", await host.EscalarAsync<string>("SELECT estado FROM facturas WHERE id = @ppd", new { ppd }));
        Assert.Equal(68m, await host.EscalarAsync<decimal>("SELECT saldo FROM saldos_a_favor WHERE cliente_id = @cliente", new { cliente }));
    }

    /// <summary>
    /// The batch transaction (issue 24): a payment named twice is applied once, a second payment of an invoice the first one
    /// settled goes to credit instead of over-applying it, a payment that is not confirmed is refused with the reason, and the
    /// customer's suspended contract is reactivated once, by its last payment, after both are applied. Payments applied in
    /// order one microsecond apart show they were applied in one pass. Re-running the batch (the activity retried after a
    /// host died past its commit) changes nothing.
    /// </summary>
    [Fact]
    public async Task Un_lote_en_una_transaccion_aplica_una_vez_el_pago_repetido_no_sobreaplica_y_rechaza_con_motivo()
    {
        var cliente = await DatosPagos.ClienteAsync(host);
        var vencida = await DatosPagos.FacturaAsync(host, cliente, 100m, diasParaVencer: -3);
        var contrato = await DatosPagos.ContratoSuspendidoAsync(host, cliente);
        var p1 = await LotesPagos.ConfirmadoAsync(host, cliente, 100m, vencida);
        var p2 = await LotesPagos.ConfirmadoAsync(host, cliente, 100m, vencida);
        var rechazado = await LotesPagos.ConfirmadoAsync(host, cliente, 50m, vencida);
        await host.EscalarAsync<int>("UPDATE pagos SET estado = 'rechazado' WHERE id = @rechazado RETURNING 1", new { rechazado });

        var salida = await LotesPagos.CorrerAsync(host, [p1, p1, p2, rechazado]);
        Assert.Equal([p1, p1, p2, rechazado], salida.Select(r => r.PagoId));
        Assert.All(salida.Take(3), r => Assert.Equal("completado", r.Estado));
        Assert.Equal("compensado", salida[3].Estado);
        Assert.Contains("rechazado", salida[3].Falla);
        Assert.Equal(1, salida[2].ContratosReactivados);

        var segunda = await LotesPagos.CorrerAsync(host, [p2, rechazado, p1]);
        Assert.Equal(["completado", "compensado", "completado"], segunda.Select(r => r.Estado));
        Assert.Equal(1L, await host.EscalarAsync<long>("SELECT count(*) FROM pago_aplicaciones WHERE factura_id = @vencida", new { vencida }));
        Assert.Equal(p1, await host.EscalarAsync<Guid>("SELECT pago_id FROM pago_aplicaciones WHERE factura_id = @vencida", new { vencida }));
        Assert.Equal("pagada", await host.EscalarAsync<string>("SELECT estado FROM facturas WHERE id = @vencida", new { vencida }));
        Assert.Equal(100m, await host.EscalarAsync<decimal>("SELECT saldo FROM saldos_a_favor WHERE cliente_id = @cliente", new { cliente }));
        Assert.Equal(1L, await host.EscalarAsync<long>("SELECT count(*) FROM movimientos_saldo WHERE pago_id = @p2 AND tipo = 'abono'", new { p2 }));
        Assert.Equal(TimeSpan.FromTicks(10), await host.EscalarAsync<TimeSpan>(
            "SELECT (SELECT aplicado_en FROM pagos WHERE id = @p2) - (SELECT aplicado_en FROM pagos WHERE id = @p1)", new { p1, p2 }));
        foreach (var p in new[] { p1, p2 })
        {
            Assert.Equal(1L, await host.EscalarAsync<long>("SELECT count(*) FROM outbox WHERE tipo = 'PagoAplicado' AND agregado_id = @s", new { s = p.ToString() }));
            Assert.Equal(1L, await host.EscalarAsync<long>("SELECT count(*) FROM notificaciones WHERE pago_id = @p", new { p }));
        }
        Assert.Equal("rechazado", await host.EscalarAsync<string>("SELECT estado FROM pagos WHERE id = @rechazado", new { rechazado }));
        Assert.Equal(0L, await host.EscalarAsync<long>("SELECT count(*) FROM notificaciones WHERE pago_id = @rechazado", new { rechazado }));
        Assert.Equal("activo", await host.EscalarAsync<string>("SELECT estado FROM contratos WHERE id = @contrato", new { contrato }));
        Assert.Equal(p2, await host.EscalarAsync<Guid>("SELECT pago_id FROM pago_reactivaciones WHERE contrato_id = @contrato", new { contrato }));
    }

    /// <summary>Pagos:LoteMinimo (50) confirmed payments waiting at once: the timer starts batches, names each payment's batch,
    /// and every payment is credited once.</summary>
    [Fact]
    public async Task Una_rafaga_de_pagos_confirmados_se_procesa_en_lotes_una_vez_cada_pago()
    {
        var cliente = await DatosPagos.ClienteAsync(host);
        // One statement, so the host's own timer sees all 60 or none.
        var ids = await host.ConsultarAsync<Guid>("""
            INSERT INTO pagos (cliente_id, monto, metodo, referencia, gateway, estado, recibido_en)
            SELECT @cliente, 10, 'tarjeta', 'pi_rafaga_' || gen_random_uuid(), 'emulada', 'confirmado', now() FROM generate_series(1, 60)
            RETURNING id
            """, new { cliente });
        using var admin = await host.ClienteAsync("admin");
        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync("admin/functions/IniciarPagosConfirmados", null)).StatusCode);
        var aplicados = 0L;
        for (var i = 0; i < 600 && aplicados < ids.Count; i++)
        {
            aplicados = await host.EscalarAsync<long>("SELECT count(*) FROM pagos WHERE id = ANY(@ids) AND estado = 'aplicado'", new { ids = ids.ToArray() });
            if (aplicados < ids.Count) await Task.Delay(100);
        }
        Assert.Equal(ids.Count, aplicados);
        Assert.Equal(0L, await host.EscalarAsync<long>(
            "SELECT count(*) FROM pagos WHERE id = ANY(@ids) AND (saga_instancia IS NULL OR saga_instancia NOT LIKE 'pagos-lote-%')", new { ids = ids.ToArray() }));
        Assert.Equal(600m, await host.EscalarAsync<decimal>("SELECT saldo FROM saldos_a_favor WHERE cliente_id = @cliente", new { cliente }));
        Assert.Equal(0L, await host.EscalarAsync<long>(
            "SELECT count(*) FROM (SELECT pago_id FROM movimientos_saldo WHERE pago_id = ANY(@ids) AND tipo = 'abono' GROUP BY pago_id HAVING count(*) > 1) d",
            new { ids = ids.ToArray() }));
    }
}

/// <summary>ReactivarServicio fails for every payment (HostPagosConFalla): inside a batch the payment is compensated in
/// reverse exactly as its own saga would be.</summary>
public sealed class ProcesarPagosLoteCompensacionTests(HostPagosConFalla host) : IClassFixture<HostPagosConFalla>
{
    [Fact]
    public async Task Si_falla_un_paso_de_un_pago_del_lote_se_deshacen_sus_pasos_en_orden_inverso()
    {
        var cliente = await DatosPagos.ClienteAsync(host);
        var ppd = await DatosPagos.FacturaAsync(host, cliente, 232m, "PPD", diasParaVencer: -3);
        var contrato = await DatosPagos.ContratoSuspendidoAsync(host, cliente);
        var pago = await LotesPagos.ConfirmadoAsync(host, cliente, 300m, ppd);

        var r = Assert.Single(await LotesPagos.CorrerAsync(host, [pago]));
        Assert.Equal("compensado", r.Estado);
        Assert.Contains("ReactivarServicio", r.Falla);
        Assert.Equal("timbrada", await host.EscalarAsync<string>("SELECT estado FROM facturas WHERE id = @ppd", new { ppd }));
        Assert.Equal(0L, await host.EscalarAsync<long>("SELECT count(*) FROM pago_aplicaciones WHERE pago_id = @pago", new { pago }));
        Assert.Equal("cancelado", await host.EscalarAsync<string>("SELECT estado FROM complementos_pago WHERE pago_id = @pago", new { pago }));
        Assert.Equal(0L, await host.EscalarAsync<long>("SELECT count(*) FROM notificaciones WHERE pago_id = @pago", new { pago }));
        Assert.Equal(0m, await host.EscalarAsync<decimal>("SELECT saldo FROM saldos_a_favor WHERE cliente_id = @cliente", new { cliente }));
        Assert.Equal("confirmado", await host.EscalarAsync<string>("SELECT estado FROM pagos WHERE id = @pago", new { pago }));
        Assert.Equal("suspendido", await host.EscalarAsync<string>("SELECT estado FROM contratos WHERE id = @contrato", new { contrato }));
        Assert.Equal(1L, await host.EscalarAsync<long>("SELECT count(*) FROM outbox WHERE tipo = 'AplicacionPagoRevertida' AND agregado_id = @p", new { p = pago.ToString() }));
    }
}

internal static class LotesPagos
{
    /// <summary>A confirmed payment for the given invoice, marked as started so the host's timer leaves it to the test.</summary>
    public static Task<Guid> ConfirmadoAsync(HostPrueba host, Guid cliente, decimal monto, Guid factura) =>
        host.EscalarAsync<Guid>("""
            INSERT INTO pagos (cliente_id, monto, metodo, referencia, gateway, estado, recibido_en, saga_iniciada_en, facturas_solicitadas)
            VALUES (@cliente, @monto, 'tarjeta', @referencia, 'emulada', 'confirmado', now(), now(), ARRAY[@factura])
            RETURNING id
            """, new { cliente, monto, referencia = $"pi_lote_{Guid.NewGuid():N}", factura });

    /// <summary>Runs ProcesarPagosLote on the host's durable backend and returns its per-payment results.</summary>
    public static async Task<IReadOnlyList<ResultadoProcesarPago>> CorrerAsync(HostPrueba host, Guid[] pagos)
    {
        var durable = host.Servicios.GetRequiredService<DurableTaskClient>();
        var instancia = await durable.ScheduleNewOrchestrationInstanceAsync(nameof(ProcesarPagosLote), new EntradaProcesarPagosLote(pagos, "prueba-lote"));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var fin = await durable.WaitForInstanceCompletionAsync(instancia, getInputsAndOutputs: true, cts.Token);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, fin.RuntimeStatus);
        return fin.ReadOutputAs<List<ResultadoProcesarPago>>()!;
    }
}
