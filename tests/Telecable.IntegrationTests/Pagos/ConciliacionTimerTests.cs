using System.Net;
using System.Text.Json;
using Telecable.IntegrationTests.Infraestructura;

namespace Telecable.IntegrationTests.Pagos;

/// <summary>The payments host reading settlement reports from a folder of its own (created by the test).</summary>
public sealed class HostLiquidaciones : HostPagos
{
    public string Directorio { get; } = Path.Combine(Path.GetTempPath(), $"liquidaciones-{Guid.NewGuid():N}");

    protected override IDictionary<string, string?> Ajustes =>
        new Dictionary<string, string?>(base.Ajustes) { ["Pagos:DirectorioLiquidaciones"] = Directorio };
}

/// <summary>
/// The daily ConciliarLiquidaciones timer, fired as the host fires it (POST /admin/functions/{name}):
/// it reconciles every report file of the folder, skips unreadable ones without stopping, and runs a
/// day once however often it fires.
/// </summary>
public sealed class ConciliacionTimerTests(HostLiquidaciones host) : IClassFixture<HostLiquidaciones>
{
    private async Task DispararAsync()
    {
        using var admin = await host.ClienteAsync("admin");
        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync("admin/functions/ConciliarLiquidaciones", null)).StatusCode);
    }

    private Task<long> ConciliacionesAsync(string gateway) =>
        host.EscalarAsync<long>("SELECT count(*) FROM conciliaciones WHERE gateway = @gateway", new { gateway });

    [Fact]
    public async Task Concilia_cada_reporte_de_la_carpeta_salta_los_ilegibles_y_no_repite_un_dia()
    {
        var gateway = $"t{Guid.NewGuid():N}"[..12];
        var cliente = await DatosPagos.ClienteAsync(host);
        // Confirmed payments whose ProcesarPago is already under way (saga_iniciada_en set), so the
        // IniciarPagosConfirmados timer leaves them alone and any change would be the reconciliation's.
        for (var i = 0; i < 3; i++)
            await host.EscalarAsync<Guid>("""
                INSERT INTO pagos (cliente_id, monto, metodo, referencia, gateway, estado, recibido_en, saga_iniciada_en)
                VALUES (@cliente, @monto, 'tarjeta', @referencia, @gateway, 'confirmado', '2026-02-10T15:00:00Z', '2026-02-10T15:00:00Z') RETURNING id
                """, new { cliente, monto = 200m + i, referencia = $"pi_t{i}", gateway });
        var pagosAntes = await host.EscalarAsync<long>("SELECT count(*) FROM pagos WHERE gateway = @gateway AND estado = 'confirmado'", new { gateway });

        // The folder does not exist yet (the gateway has delivered nothing): the timer does nothing.
        Assert.False(Directory.Exists(host.Directorio));
        await DispararAsync();
        Assert.Equal(0, await ConciliacionesAsync(gateway));

        // Files run in name order: two bad ones first, then the day's report (pi_t2 missing at the gateway, pi_z unknown here).
        Directory.CreateDirectory(host.Directorio);
        await File.WriteAllTextAsync(Path.Combine(host.Directorio, "2026-02-10-a.json"), "{ esto no es JSON");
        await File.WriteAllTextAsync(Path.Combine(host.Directorio, "2026-02-10-b.json"), "null");
        await File.WriteAllTextAsync(Path.Combine(host.Directorio, "2026-02-10-c.json"), JsonSerializer.Serialize(new { gateway, periodo = "2026-02-10" }));
        await File.WriteAllTextAsync(Path.Combine(host.Directorio, "2026-02-10-d.json"), JsonSerializer.Serialize(new
        {
            gateway, periodo = "2026-02-10",
            movimientos = new[] { new { referencia = "pi_t0", monto = 200m }, new { referencia = "pi_t1", monto = 201m }, new { referencia = "pi_z", monto = 9m } },
        }));
        await File.WriteAllTextAsync(Path.Combine(host.Directorio, "notas.txt"), "not a report: ignored");

        await DispararAsync();
        var fila = await host.ConsultarAsync<(int Coincidencias, int FaltantesSistema, int FaltantesPasarela, int Diferencias)>("""
            SELECT coincidencias, faltantes_sistema, faltantes_pasarela, diferencias_monto FROM conciliaciones WHERE gateway = @gateway
            """, new { gateway });
        Assert.Equal((2, 1, 1, 0), Assert.Single(fila));

        // Fired again (another host, or the next day's run with the file still there): the day is not reconciled twice.
        await DispararAsync();
        Assert.Equal(1, await ConciliacionesAsync(gateway));
        // Reconciliation only records findings: no payment is applied or created.
        Assert.Equal(pagosAntes, await host.EscalarAsync<long>("SELECT count(*) FROM pagos WHERE gateway = @gateway AND estado = 'confirmado'", new { gateway }));
        Assert.Equal(0, await host.EscalarAsync<long>("SELECT count(*) FROM pagos WHERE gateway = @gateway AND estado <> 'confirmado'", new { gateway }));
        Directory.Delete(host.Directorio, recursive: true);
    }
}
