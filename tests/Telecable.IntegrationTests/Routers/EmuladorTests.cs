using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Telecable.IntegrationTests.Infraestructura;
using Telecable.RouterEmulator;

namespace Telecable.IntegrationTests.Routers;

/// <summary>The emulator's router logic in-process against the host: a reset requested by support is obeyed end to end.</summary>
public sealed class EmuladorTests(HostRouters host) : IClassFixture<HostRouters>
{
    [Fact]
    public async Task Router_emulado_recibe_el_reset_se_reinicia_y_lo_confirma()
    {
        var id = HostRouters.Router(55);
        var serial = await host.SerialAsync(id);
        var router = new RouterEmulado(new RouterDemo(id, serial, "FTTH", "V5R020C10S115"), host.Http,
            new OpcionesEmulacion(TimeSpan.FromMilliseconds(300), Fallas: 0, DuracionReinicio: TimeSpan.FromMilliseconds(500)),
            new Contadores(), new Random(7));
        using var cts = new CancellationTokenSource();
        var corriendo = router.EjecutarAsync(cts.Token);
        try
        {
            var p = new { id };
            await EsperarAsync(async () => await host.EscalarAsync<long>("SELECT count(*) FROM router_estado_historial WHERE router_id = @id", p) >= 2);
            var uptimeAntes = await host.EscalarAsync<long>("SELECT uptime_segundos FROM router_estado WHERE router_id = @id", p);
            Assert.True(uptimeAntes >= 3600);

            using var soporte = await host.ClienteAsync("soporte");
            using var m = new HttpRequestMessage(HttpMethod.Post, $"api/router/{id}/reset") { Headers = { { "Idempotency-Key", Guid.NewGuid().ToString() } } };
            var r = await soporte.SendAsync(m);
            Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);
            var comando = (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

            await EsperarAsync(async () => await host.EscalarAsync<string>("SELECT estado FROM router_comandos WHERE id = @comando", new { comando }) == "ejecutado");
            var estado = await soporte.GetFromJsonAsync<JsonElement>($"api/router/status/{id}");
            Assert.Equal("ejecutado", estado.GetProperty("comandos")[0].GetProperty("estado").GetString());
            Assert.NotNull(await host.EscalarAsync<DateTime?>("SELECT entregado_en FROM router_comandos WHERE id = @comando", new { comando }));
            // It came back with its uptime reset.
            Assert.True(await host.EscalarAsync<long>("SELECT min(uptime_segundos) FROM router_estado_historial WHERE router_id = @id", p) < 60);
            Assert.True(await host.EscalarAsync<long>("SELECT uptime_segundos FROM router_estado WHERE router_id = @id", p) < uptimeAntes);
        }
        finally
        {
            cts.Cancel();
            await corriendo;
        }
    }

    /// <summary>Polls a condition (not a timing assertion: the deadline is generous for a loaded 2-core machine).</summary>
    private static async Task EsperarAsync(Func<Task<bool>> condicion)
    {
        var limite = DateTime.UtcNow.AddSeconds(60);
        while (!await condicion())
        {
            Assert.True(DateTime.UtcNow < limite, "La condición no se cumplió en 60 s.");
            await Task.Delay(100);
        }
    }
}
