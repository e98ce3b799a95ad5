using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Telecable.Application.Pagos;
using Telecable.Domain.Pagos;
using Telecable.Infrastructure.Pagos;
using Telecable.IntegrationTests.Infraestructura;

namespace Telecable.IntegrationTests.Pagos;

/// <summary>The payments host with a settlement container of its own in Azurite (and a database of its own).</summary>
public sealed class HostLiquidaciones : HostPagos
{
    public string ContenedorLiquidaciones { get; } = $"liq-{Guid.NewGuid():N}"[..24];

    protected override IDictionary<string, string?> Ajustes =>
        new Dictionary<string, string?>(base.Ajustes) { ["Pagos:ContenedorLiquidaciones"] = ContenedorLiquidaciones };
}

/// <summary>
/// Settlements that arrive: each provider's daily CSV (its own layout) in blob storage, ingested by the daily
/// ConciliarLiquidaciones timer fired as the host fires it (POST /admin/functions/{name}); a day runs once however
/// often it fires; an unreadable file is skipped without stopping the others; findings get the operator's decision.
/// </summary>
public sealed class ConciliacionTimerTests(HostLiquidaciones host) : IClassFixture<HostLiquidaciones>
{
    private static readonly DateOnly Dia = new(2026, 2, 10);

    private async Task DispararAsync(string funcion = "ConciliarLiquidaciones")
    {
        using var admin = await host.ClienteAsync("admin");
        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync($"admin/functions/{funcion}", null)).StatusCode);
    }

    /// <summary>A confirmed payment of that day whose ProcesarPago is already under way (saga_iniciada_en set), so the
    /// IniciarPagosConfirmados timer leaves it alone and any change would be the reconciliation's.</summary>
    private Task<Guid> PagoAsync(Guid cliente, string gateway, string metodo, string referencia, decimal monto, string recibido = "2026-02-10T15:00:00Z") =>
        host.EscalarAsync<Guid>("""
            INSERT INTO pagos (cliente_id, monto, metodo, referencia, gateway, gateway_pago_id, estado, recibido_en, saga_iniciada_en)
            VALUES (@cliente, @monto, @metodo, @referencia, @gateway, @referencia, 'confirmado', @recibido::timestamptz, @recibido::timestamptz) RETURNING id
            """, new { cliente, monto, metodo, referencia, gateway, recibido });

    [Fact]
    public async Task Cada_proveedor_deja_su_CSV_en_blob_y_la_conciliacion_reporta_cada_tipo_de_diferencia_una_sola_vez()
    {
        var cliente = await DatosPagos.ClienteAsync(host);
        // Card gateway: t0 and t1 match, t2 never settled, t3 settled for another amount, z unknown here, t0 reported twice.
        for (var i = 0; i < 4; i++) await PagoAsync(cliente, "emulada", "tarjeta", $"pi_t{i}", 200m + i);
        // SPEI and OXXO: the emulated providers write their own files from what they confirmed.
        await PagoAsync(cliente, "spei", "spei", "MBAN0100261002000001", 300m);
        // The day is Mexico's business day (UTC-6), not UTC's: 22:30 of the 10th in Mexico is already the 11th in UTC,
        // and 23:00 of the 9th in Mexico is the 10th in UTC.
        await PagoAsync(cliente, "spei", "spei", "MBAN0100261002000002", 120m, "2026-02-11T04:30:00Z");
        await PagoAsync(cliente, "spei", "spei", "MBAN0100260902000003", 80m, "2026-02-10T05:00:00Z");
        await PagoAsync(cliente, "oxxo", "oxxo", ReferenciaEfectivo.Construir("9300", 777), 150m);
        var pagosAntes = await host.EscalarAsync<long>("SELECT count(*) FROM pagos WHERE estado = 'confirmado'");

        // Nothing has arrived yet (the container does not exist): the timer does nothing.
        await DispararAsync();
        Assert.Equal(0L, await host.EscalarAsync<long>("SELECT count(*) FROM conciliaciones"));

        var liquidaciones = host.Servicios.GetRequiredService<ServicioLiquidaciones>();
        var archivos = await liquidaciones.GenerarEmuladasAsync(Dia, CancellationToken.None);
        Assert.Equal(new[] { "emulada/2026-02-10.csv", "oxxo/2026-02-10.csv", "spei/2026-02-10.csv" }, archivos.Order().ToArray());
        var speiLeido = host.Servicios.GetServices<IAdaptadorPasarela>().Single(a => a.Nombre == "spei").LeerLiquidacion(
            (await host.Servicios.GetRequiredService<Azure.Storage.Blobs.BlobServiceClient>().GetBlobContainerClient(host.ContenedorLiquidaciones)
                .GetBlobClient("spei/2026-02-10.csv").DownloadContentAsync()).Value.Content.ToString());
        Assert.Equal(new[] { "MBAN0100261002000001", "MBAN0100261002000002" }, speiLeido.Select(m => m.Referencia).Order().ToArray());
        // The card gateway's real file differs from what was recorded (its own layout: Stripe's balance report).
        var tarjeta = host.Servicios.GetServices<IAdaptadorPasarela>().Single(a => a.Nombre == "emulada").EscribirLiquidacion(Dia,
        [
            new("pi_t0", 200m), new("pi_t1", 201m), new("pi_t3", 203.50m), new("pi_z", 9m), new("pi_t0", 200m),
        ]);
        Assert.StartsWith("balance_transaction_id,created_utc,reporting_category,payment_intent_id,gross", tarjeta);
        await liquidaciones.SubirAsync("emulada", Dia, tarjeta, CancellationToken.None);
        // A provider's file that cannot be read (an amount that is not one) is skipped; the others go on.
        await liquidaciones.SubirAsync("oxxo", Dia.AddDays(1), "fecha_pago,referencia,orden,tienda,monto_bruto,comision,monto_neto\n2026-02-11,93000000007771,ord,T,doce,0,0\n", CancellationToken.None);

        await DispararAsync();

        var filas = (await host.ConsultarAsync<(string Gateway, int Coincidencias, int FaltantesSistema, int FaltantesPasarela, int Diferencias, int Duplicados, string Archivo)>("""
            SELECT gateway, coincidencias, faltantes_sistema, faltantes_pasarela, diferencias_monto, duplicados_reporte, archivo FROM conciliaciones ORDER BY gateway
            """)).ToDictionary(f => f.Gateway);
        Assert.Equal(3, filas.Count);
        Assert.Equal((2, 1, 1, 1, 1, "emulada/2026-02-10.csv"),
            (filas["emulada"].Coincidencias, filas["emulada"].FaltantesSistema, filas["emulada"].FaltantesPasarela, filas["emulada"].Diferencias, filas["emulada"].Duplicados, filas["emulada"].Archivo));
        Assert.Equal((2, 0, 0, 0), (filas["spei"].Coincidencias, filas["spei"].FaltantesSistema, filas["spei"].FaltantesPasarela, filas["spei"].Diferencias));
        Assert.Equal((1, 0, 0, 0), (filas["oxxo"].Coincidencias, filas["oxxo"].FaltantesSistema, filas["oxxo"].FaltantesPasarela, filas["oxxo"].Diferencias));

        // Fees: the card gateway and the cash aggregator deposit gross minus their fee (SPEI's aggregator charges apart).
        var montos = (await host.ConsultarAsync<(string Gateway, decimal Bruto, decimal Comisiones, decimal Neto)>(
            "SELECT gateway, monto_bruto, comisiones, monto_neto FROM conciliaciones")).ToDictionary(f => f.Gateway);
        // Card: lines read once (the duplicated pi_t0 is its own finding): 200 + 201 + 203.50 + 9, at 3.6 % + 3.00 each.
        var comisionTarjeta = new[] { 200m, 201m, 203.50m, 9m }.Sum(m => decimal.Round(m * 0.036m + 3m, 2));
        Assert.Equal((613.50m, comisionTarjeta, 613.50m - comisionTarjeta), (montos["emulada"].Bruto, montos["emulada"].Comisiones, montos["emulada"].Neto));
        Assert.Equal((150m, 5.85m, 144.15m), (montos["oxxo"].Bruto, montos["oxxo"].Comisiones, montos["oxxo"].Neto));
        Assert.Equal((420m, 0m), (montos["spei"].Bruto, montos["spei"].Comisiones));
        Assert.Equal(2L, await host.EscalarAsync<long>("SELECT count(*) FROM conciliacion_hallazgos WHERE tipo = 'comision'"));

        // Fired again: no day is reconciled twice, and reconciliation never creates or applies a payment.
        await DispararAsync();
        Assert.Equal(3L, await host.EscalarAsync<long>("SELECT count(*) FROM conciliaciones"));
        Assert.Equal(pagosAntes, await host.EscalarAsync<long>("SELECT count(*) FROM pagos WHERE estado = 'confirmado'"));

        // The billing portal's actions on the findings: accept the amount difference, investigate the missing one.
        using var cobranzas = await host.ClienteAsync("cobranzas");
        var id = await host.EscalarAsync<Guid>("SELECT id FROM conciliaciones WHERE gateway = 'emulada'");
        var vista = JsonDocument.Parse(await cobranzas.GetStringAsync($"api/pagos/conciliaciones/{id}")).RootElement;
        var hallazgos = vista.GetProperty("hallazgos").EnumerateArray().ToList();
        var diferencia = hallazgos.Single(h => h.GetProperty("tipo").GetString() == TiposHallazgo.DiferenciaMonto);
        Assert.Equal((203.50m, 203m), (diferencia.GetProperty("montoPasarela").GetDecimal(), diferencia.GetProperty("montoSistema").GetDecimal()));
        var faltante = hallazgos.Single(h => h.GetProperty("tipo").GetString() == TiposHallazgo.FaltanteEnPasarela);
        var comision = hallazgos.Single(h => h.GetProperty("tipo").GetString() == TiposHallazgo.Comision);
        Assert.Equal((613.50m - comisionTarjeta, 613.50m), (comision.GetProperty("montoPasarela").GetDecimal(), comision.GetProperty("montoSistema").GetDecimal()));
        Assert.Equal(comisionTarjeta, vista.GetProperty("comisiones").GetDecimal());
        Assert.Equal("pi_t2", faltante.GetProperty("referencia").GetString());

        async Task<HttpResponseMessage> ResolverAsync(JsonElement h, object cuerpo)
        {
            var req = new HttpRequestMessage(HttpMethod.Post, $"api/pagos/conciliaciones/{id}/hallazgos/{h.GetProperty("id").GetInt64()}/resolucion")
            {
                Content = new StringContent(JsonSerializer.Serialize(cuerpo), Encoding.UTF8, "application/json"),
            };
            req.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
            return await cobranzas.SendAsync(req);
        }
        Assert.Equal(HttpStatusCode.OK, (await ResolverAsync(diferencia, new { accion = "aceptar", nota = "comisión cobrada aparte" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ResolverAsync(faltante, new { accion = "investigar" })).StatusCode);
        await Problemas.AfirmarAsync(await ResolverAsync(faltante, new { accion = "borrar" }), HttpStatusCode.BadRequest, "accion");
        var despues = JsonDocument.Parse(await cobranzas.GetStringAsync($"api/pagos/conciliaciones/{id}")).RootElement.GetProperty("hallazgos").EnumerateArray().ToList();
        Assert.Equal("aceptado", despues.Single(h => h.GetProperty("tipo").GetString() == TiposHallazgo.DiferenciaMonto).GetProperty("resolucion").GetString());
        Assert.Equal("en_investigacion", despues.Single(h => h.GetProperty("tipo").GetString() == TiposHallazgo.FaltanteEnPasarela).GetProperty("resolucion").GetString());
    }
}
