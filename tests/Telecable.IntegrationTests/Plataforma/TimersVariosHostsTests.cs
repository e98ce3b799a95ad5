using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Telecable.Infrastructure.Datos;
using Telecable.LocalHost.Funciones;

namespace Telecable.IntegrationTests.Plataforma;

/// <summary>
/// Issue 24: with several local hosts on one database, every timer ran on every host (the outbox relay, the payment
/// starter, the purges... once per host per occurrence). Each scheduled occurrence must run on exactly one host, and a
/// run still going must not be overlapped by another host.
/// </summary>
public sealed class TimersVariosHostsTests : IAsyncLifetime
{
    private string _cs = "";
    private NpgsqlDataSource _db = null!;

    public async Task InitializeAsync()
    {
        _cs = await Servicios.CrearBaseAsync("timers");
        _db = NpgsqlDataSource.Create(_cs);
        await new Migrador(_db, NullLogger<Migrador>.Instance).MigrarAsync();
    }

    public async Task DisposeAsync()
    {
        await _db.DisposeAsync();
        await Servicios.BorrarBaseAsync(_cs);
    }

    [Fact]
    public async Task Tres_hosts_que_disparan_la_misma_ocurrencia_la_corren_una_sola_vez()
    {
        var hosts = Enumerable.Range(1, 3).Select(i => new CandadoTimers(_db, $"host{i}")).ToList();
        var ocurrencias = Enumerable.Range(0, 20).Select(i => new DateTime(2026, 12, 3, 23, 0, 0, DateTimeKind.Utc).AddSeconds(5 * i)).ToList();
        var ganadas = new int[3];
        foreach (var o in ocurrencias)
        {
            // All three fire for the same occurrence at (nearly) the same moment, as their clocks and CRONs agree.
            var r = await Task.WhenAll(hosts.Select(h => h.ReclamarAsync("RelayarOutbox", o, CancellationToken.None)));
            Assert.Equal(1, r.Count(x => x));
            for (var i = 0; i < 3; i++) if (r[i]) ganadas[i]++;
            // A late host firing for an occurrence already run does not run it again.
            Assert.False(await hosts[2].ReclamarAsync("RelayarOutbox", o, CancellationToken.None));
        }
        Assert.Equal(ocurrencias.Count, ganadas.Sum());
        // Another timer's occurrences are independent.
        Assert.True(await hosts[0].ReclamarAsync("PurgarWebhooks", ocurrencias[0], CancellationToken.None));
    }

    [Fact]
    public async Task Un_timer_que_sigue_corriendo_en_un_host_no_se_corre_en_otro_hasta_que_termina()
    {
        var a = new CandadoTimers(_db, "a");
        var b = new CandadoTimers(_db, "b");
        var corriendo = await a.BloquearAsync("ConciliarLiquidaciones", CancellationToken.None);
        Assert.NotNull(corriendo);
        Assert.Null(await b.BloquearAsync("ConciliarLiquidaciones", CancellationToken.None));
        var otro = await b.BloquearAsync("RelayarOutbox", CancellationToken.None);
        Assert.NotNull(otro);
        await otro!.DisposeAsync();
        await corriendo!.DisposeAsync();
        var despues = await b.BloquearAsync("ConciliarLiquidaciones", CancellationToken.None);
        Assert.NotNull(despues);
        await despues!.DisposeAsync();
    }
}
