using System.Net;
using System.Text;
using System.Text.Json;

namespace Telecable.EndToEndTests;

/// <summary>
/// The local host process with each durable backend: an orchestration runs end to end, and on the
/// Azure Storage provider (Azurite) it survives a kill -9 of the host and completes exactly once.
/// </summary>
public sealed class DurableTests
{
    [Theory]
    [InlineData("InMemory")]
    [InlineData("AzureStorage")]
    public async Task Una_orquestacion_completa_en_cada_backend_con_logs_json_y_el_cid(string backend)
    {
        var cs = await Servicios.CrearBaseAsync("e2e");
        try
        {
            await using var host = new HostProceso(backend, cs, Hub());
            await host.IniciarAsync();
            using var admin = await host.ClienteAsync("admin");
            var cid = $"e2e-{Guid.NewGuid():N}";
            var id = await IniciarSondaAsync(admin, pasos: 3, esperaMs: 50, cid);
            await EsperarAsync(admin, id, TimeSpan.FromSeconds(90));
            Assert.Equal(3, await Servicios.EscalarAsync<int>(cs, "SELECT count(*) FROM sonda_pasos WHERE instancia = @id", new { id }));

            // Every stdout line is one JSON object with the required fields; the activities' lines carry the caller's cid.
            await Task.Delay(300);
            var lineas = host.Salida.Where(l => !l.StartsWith("stderr: ")).ToList();
            Assert.NotEmpty(lineas);
            foreach (var l in lineas)
            {
                var j = JsonDocument.Parse(l).RootElement;
                foreach (var campo in new[] { "timestamp", "level", "service", "message" }) Assert.True(j.TryGetProperty(campo, out _), $"falta {campo}: {l}");
            }
            Assert.Contains(lineas, l => l.Contains($"\"cid\":\"{cid}\"") && l.Contains("ActividadesSonda"));
        }
        finally
        {
            await Servicios.BorrarBaseAsync(cs);
        }
    }

    [Fact]
    public async Task Kill_9_a_mitad_de_una_orquestacion_en_Azurite_termina_una_sola_vez_tras_reiniciar()
    {
        var cs = await Servicios.CrearBaseAsync("e2e");
        var hub = Hub();
        try
        {
            string id;
            await using (var primero = new HostProceso("AzureStorage", cs, hub))
            {
                await primero.IniciarAsync();
                using var admin = await primero.ClienteAsync("admin");
                id = await IniciarSondaAsync(admin, pasos: 10, esperaMs: 400, $"crash-{Guid.NewGuid():N}");
                var limite = DateTime.UtcNow.AddSeconds(60);
                while (await Servicios.EscalarAsync<int>(cs, "SELECT count(*) FROM sonda_pasos WHERE instancia = @id", new { id }) < 3)
                {
                    Assert.True(DateTime.UtcNow < limite, "La sonda no avanzó antes del kill");
                    await Task.Delay(100);
                }
                primero.Matar();
            }
            var pasosAntes = await Servicios.EscalarAsync<int>(cs, "SELECT count(*) FROM sonda_pasos WHERE instancia = @id", new { id });
            Assert.InRange(pasosAntes, 3, 9); // killed in the middle, not after the end

            await using var segundo = new HostProceso("AzureStorage", cs, hub);
            await segundo.IniciarAsync(segundos: 240);
            using var admin2 = await segundo.ClienteAsync("admin");
            var final = await EsperarAsync(admin2, id, TimeSpan.FromSeconds(180));
            Assert.Contains("\"Pasos\":10", final.GetProperty("salida").GetString());
            Assert.Equal(10, await Servicios.EscalarAsync<int>(cs, "SELECT count(*) FROM sonda_pasos WHERE instancia = @id", new { id }));
            Assert.Equal(1, await Servicios.EscalarAsync<int>(cs, "SELECT count(*) FROM sonda_resultados WHERE instancia = @id", new { id }));
            // Activities are at-least-once: only a step in flight at the kill may have run twice.
            Assert.InRange(await Servicios.EscalarAsync<int>(cs, "SELECT sum(ejecuciones) FROM sonda_pasos WHERE instancia = @id", new { id }), 10, 11);
        }
        finally
        {
            await Servicios.BorrarBaseAsync(cs);
        }
    }

    /// <summary>
    /// Issue 24: an activity that runs longer than host.json's work-item visibility timeout runs once. The Functions host's
    /// dispatcher renews the queue message while the activity runs; the sidecar's did not, so the message came back
    /// mid-run, was dequeued again ("processed multiple times concurrently") and, its pop receipt gone, ran a second time.
    /// </summary>
    [Fact]
    public async Task Una_actividad_mas_larga_que_la_visibilidad_corre_una_sola_vez()
    {
        var cs = await Servicios.CrearBaseAsync("e2e");
        try
        {
            var visibilidad = new Dictionary<string, string>
            {
                ["AzureFunctionsJobHost__extensions__durableTask__storageProvider__workItemQueueVisibilityTimeout"] = "00:00:03",
            };
            await using var host = new HostProceso("AzureStorage", cs, Hub(), visibilidad);
            await host.IniciarAsync();
            using var admin = await host.ClienteAsync("admin");
            var id = await IniciarSondaAsync(admin, pasos: 2, esperaMs: 10_000, $"vis-{Guid.NewGuid():N}");
            await EsperarAsync(admin, id, TimeSpan.FromSeconds(120));

            Assert.Equal(2, await Servicios.EscalarAsync<int>(cs, "SELECT sum(ejecuciones) FROM sonda_pasos WHERE instancia = @id", new { id }));
            Assert.DoesNotContain(host.Salida, l => l.Contains("multiple times concurrently") || l.Contains("PopReceiptMismatch"));
        }
        finally
        {
            await Servicios.BorrarBaseAsync(cs);
        }
    }

    private static string Hub() => $"e2e{Guid.NewGuid():N}"[..16];

    private static async Task<string> IniciarSondaAsync(HttpClient admin, int pasos, int esperaMs, string cid)
    {
        var req = new HttpRequestMessage(HttpMethod.Post, "api/admin/sonda")
        {
            Content = new StringContent($$"""{"pasos":{{pasos}},"esperaMs":{{esperaMs}}}""", Encoding.UTF8, "application/json"),
        };
        req.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        req.Headers.Add("X-Correlation-Id", cid);
        var r = await admin.SendAsync(req);
        Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);
        return JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
    }

    private static async Task<JsonElement> EsperarAsync(HttpClient c, string id, TimeSpan plazo)
    {
        var limite = DateTime.UtcNow + plazo;
        while (true)
        {
            var e = JsonDocument.Parse(await c.GetStringAsync($"api/admin/sonda/{id}")).RootElement.Clone();
            var estado = e.GetProperty("estado").GetString();
            if (estado == "Completed") return e;
            Assert.True(estado is "Pending" or "Running", $"La orquestación quedó en {estado}: {e}");
            Assert.True(DateTime.UtcNow < limite, $"La orquestación no completó en {plazo.TotalSeconds} s (estado {estado})");
            await Task.Delay(500);
        }
    }
}
