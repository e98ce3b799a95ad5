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
        var router = new RouterEmulado(new RouterDemo(id, serial, "FTTH", "V5R020C10S115", $"demo-key-{serial}"), host.Http,
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

    /// <summary>
    /// Issue 18: the emulator read the fleet from PostgreSQL once at start and signed every router with a key guessed from its
    /// serial, so a router an installation registered later was never emulated (a false outage). Now it learns the fleet
    /// through the API on every poll and uses only the key provisioned into the router (its key store).
    /// </summary>
    [Fact]
    public async Task La_flota_se_aprende_por_la_api_y_cada_router_usa_la_clave_aprovisionada()
    {
        var almacen = Path.Combine(Directory.CreateTempSubdirectory("telecable-claves-").FullName, "claves.json");
        await File.WriteAllTextAsync(almacen, "{}");
        var flota = new Flota(host.Http, "soporte", HostPrueba.Password, [almacen]);
        Assert.Empty(await flota.LeerAsync(CancellationToken.None));

        // Registered after the emulator started, as an installation does; its key reaches the store as the technician's app would.
        var serial = $"HWTC{Random.Shared.Next(0x10000000, int.MaxValue):X8}";
        var clave = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        var hash = "sha256:" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(clave))).ToLowerInvariant();
        var id = await host.EscalarAsync<Guid>("""
            INSERT INTO routers (serial, modelo, tecnologia_clave, contrato_id, cliente_id, mac, device_key_hash)
            SELECT @serial, 'Huawei EchoLife HG8145V5', 'FTTH', k.id, k.cliente_id,
                   ('02:77:' || lpad(to_hex((random() * 255)::int), 2, '0') || ':' || lpad(to_hex((random() * 255)::int), 2, '0') || ':'
                    || lpad(to_hex((random() * 255)::int), 2, '0') || ':' || lpad(to_hex((random() * 255)::int), 2, '0'))::macaddr, @hash
            FROM contratos k WHERE k.id = '00000000-0000-0000-0000-00000000b002'
            RETURNING id
            """, new { serial, hash });
        Assert.Empty(await flota.LeerAsync(CancellationToken.None)); // listed by the API, but no key provisioned: never guessed
        await File.WriteAllTextAsync(almacen, JsonSerializer.Serialize(new Dictionary<string, string> { [serial] = clave }));
        var r = Assert.Single(await flota.LeerAsync(CancellationToken.None));
        Assert.Equal((id, serial, "FTTH", clave), (r.Id, r.Serial, r.Tecnologia, r.Clave));

        // It reports with that key and the API accepts it.
        await new RouterEmulado(r, host.Http, new OpcionesEmulacion(TimeSpan.FromSeconds(10), 0, TimeSpan.FromSeconds(1)), new Contadores(), new Random(3))
            .TickAsync(CancellationToken.None);
        Assert.Equal(1L, await host.EscalarAsync<long>("SELECT count(*) FROM router_estado WHERE router_id = @id", new { id }));
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
