using System.Net;
using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using Dapper;
using Npgsql;

namespace Telecable.EndToEndTests;

/// <summary>
/// A billing run of 1,000 contracts on the Azure Storage durable backend, with the host killed (SIGKILL)
/// part way through: after a restart the run ends with exactly 1,000 stamped CFDIs, 1,000 blobs, no
/// duplicate UUID and gap-free folios.
/// </summary>
public sealed class FacturacionCrashTests
{
    private const int Contratos = 1000;

    [Fact]
    public async Task Kill_9_a_mitad_de_una_corrida_de_1000_termina_con_1000_cfdi_1000_blobs_sin_duplicados()
    {
        var cs = await Servicios.CrearBaseAsync("e2e");
        var hub = $"e2e{Guid.NewGuid():N}"[..16];
        var contenedor = $"crash{Guid.NewGuid():N}"[..20];
        // The emulated PAC's SAT certificate and stamp memory survive the restart, as in the demo (.data/pac-emulado).
        var extra = new Dictionary<string, string> { ["Pac__Carpeta"] = Path.Combine(Path.GetTempPath(), $"pac-{Guid.NewGuid():N}") };
        try
        {
            Guid corrida;
            await using (var primero = new HostProceso("AzureStorage", cs, hub, extra, contenedor))
            {
                await primero.IniciarAsync();
                await using (var conexion = new NpgsqlConnection(cs)) await ContratosMasivos.InsertarAsync(conexion, Contratos, "CAKE", "CLIENTE PRUEBA", 7);
                using var admin = await primero.ClienteAsync("admin");
                var req = new HttpRequestMessage(HttpMethod.Post, "api/facturacion/corridas")
                {
                    Content = new StringContent("""{"periodo":"2026-12"}""", Encoding.UTF8, "application/json"),
                };
                req.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
                var r = await admin.SendAsync(req);
                Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);
                corrida = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetGuid();

                var limite = DateTime.UtcNow.AddSeconds(180);
                while (await Timbradas(cs, corrida) < Contratos / 4)
                {
                    Assert.True(DateTime.UtcNow < limite, "La corrida no avanzó antes del kill");
                    await Task.Delay(50);
                }
                primero.Matar();
            }
            var antes = await Timbradas(cs, corrida);
            Assert.InRange(antes, Contratos / 4, Contratos - 1); // killed part way, not after the end

            await using var segundo = new HostProceso("AzureStorage", cs, hub, extra, contenedor);
            await segundo.IniciarAsync(segundos: 240);
            using var admin2 = await segundo.ClienteAsync("admin");
            var fin = DateTime.UtcNow.AddSeconds(300);
            while (true)
            {
                var p = JsonDocument.Parse(await admin2.GetStringAsync($"api/facturacion/corridas/{corrida}")).RootElement;
                if (p.GetProperty("pendientes").GetInt32() == 0 && p.GetProperty("estado").GetString() != "en_proceso") break;
                Assert.True(DateTime.UtcNow < fin, $"La corrida no terminó tras el reinicio: {p}");
                await Task.Delay(500);
            }

            await using var cn = new NpgsqlConnection(cs);
            var f = await cn.QuerySingleAsync<(long Total, long Uuids, long Folios, long Minimo, long Maximo, long SinBlob)>("""
                SELECT count(*), count(DISTINCT uuid), count(DISTINCT (serie, folio)), min(folio), max(folio), count(*) FILTER (WHERE xml_blob IS NULL)
                  FROM facturas WHERE corrida_id = @corrida AND estado = 'timbrada'
                """, new { corrida });
            Assert.Equal(Contratos, f.Total);
            Assert.Equal(Contratos, f.Uuids);
            Assert.Equal(Contratos, f.Folios);
            Assert.Equal(Contratos - 1, f.Maximo - f.Minimo); // gap-free
            Assert.Equal(0, f.SinBlob);
            Assert.Equal(0, await cn.ExecuteScalarAsync<long>("SELECT count(*) FROM facturas WHERE corrida_id = @corrida AND estado <> 'timbrada'", new { corrida }));
            // Every stamp the PAC issued belongs to an invoice: no CFDI was stamped twice.
            Assert.Equal(Contratos, await cn.ExecuteScalarAsync<long>("SELECT count(*) FROM pac_emulado_timbres"));

            var blobs = 0;
            await foreach (var _ in new BlobContainerClient(Servicios.Azurite, contenedor).GetBlobsAsync()) blobs++;
            Assert.Equal(Contratos, blobs);

            // SAT's schema, cadena stylesheet and openssl checks over every CFDI stamped on both sides of the kill run when
            // the second host is disposed (HostProceso.DisposeAsync), SelloSAT with the PAC's persisted certificate.
        }
        finally
        {
            await Servicios.BorrarBaseAsync(cs);
        }
    }

    /// <summary>
    /// Issue 15: the host is killed mid-run and its task hub is gone (purged, or its storage lost): the restarted host
    /// finds no instance for the live run. The reconciliation timer ends it fallida (orquestacion_perdida) instead of
    /// leaving it en_proceso for good; reintentar resumes it and nothing already stamped is stamped again.
    /// </summary>
    [Fact]
    public async Task Kill_9_y_task_hub_perdido_la_corrida_queda_fallida_y_reintentar_la_termina_sin_timbrar_dos_veces()
    {
        const int contratos = 300;
        var cs = await Servicios.CrearBaseAsync("e2e");
        var contenedor = $"perdida{Guid.NewGuid():N}"[..20];
        var extra = new Dictionary<string, string>
        {
            ["Pac__Carpeta"] = Path.Combine(Path.GetTempPath(), $"pac-{Guid.NewGuid():N}"),
            ["Facturacion__GraciaSinOrquestacionSegundos"] = "0",
        };
        try
        {
            Guid corrida;
            await using (var primero = new HostProceso("AzureStorage", cs, $"e2e{Guid.NewGuid():N}"[..16], extra, contenedor))
            {
                await primero.IniciarAsync();
                await using (var conexion = new NpgsqlConnection(cs)) await ContratosMasivos.InsertarAsync(conexion, contratos, "CALP", "CLIENTE PERDIDO", 11);
                using var admin = await primero.ClienteAsync("admin");
                corrida = await IniciarCorridaAsync(admin, "2026-12");
                var limite = DateTime.UtcNow.AddSeconds(180);
                while (await Timbradas(cs, corrida) < contratos / 5)
                {
                    Assert.True(DateTime.UtcNow < limite, "La corrida no avanzó antes del kill");
                    await Task.Delay(20);
                }
                primero.Matar();
            }
            var antes = await Timbradas(cs, corrida);
            Assert.InRange(antes, contratos / 5, contratos - 1);

            // Another task hub: the run's instance does not exist there, as after a purge.
            await using var segundo = new HostProceso("InMemory", cs, $"e2e{Guid.NewGuid():N}"[..16], extra, contenedor);
            await segundo.IniciarAsync();
            using var admin2 = await segundo.ClienteAsync("admin");
            Assert.Equal("en_proceso", (await Progreso(admin2, corrida)).GetProperty("estado").GetString());
            Assert.Equal(HttpStatusCode.Accepted, (await admin2.PostAsync("admin/functions/ReconciliarCorridas", null)).StatusCode);
            var p = await EsperarFinAsync(admin2, corrida);
            Assert.Equal("fallida", p.GetProperty("estado").GetString());
            Assert.Equal("orquestacion_perdida", p.GetProperty("causa").GetProperty("codigo").GetString());

            var reintento = new HttpRequestMessage(HttpMethod.Post, $"api/facturacion/corridas/{corrida}/reintentar") { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
            reintento.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
            Assert.Equal(HttpStatusCode.Accepted, (await admin2.SendAsync(reintento)).StatusCode);
            Assert.Equal("completada", (await EsperarFinAsync(admin2, corrida)).GetProperty("estado").GetString());

            await using var cn = new NpgsqlConnection(cs);
            Assert.Equal(contratos, await cn.ExecuteScalarAsync<long>(
                "SELECT count(DISTINCT uuid) FROM facturas WHERE corrida_id = @corrida AND estado = 'timbrada' AND xml_blob IS NOT NULL", new { corrida }));
            // Every stamp the PAC issued belongs to one invoice: what was stamped before the kill was not stamped again.
            Assert.Equal(contratos, await cn.ExecuteScalarAsync<long>("SELECT count(*) FROM pac_emulado_timbres"));
        }
        finally
        {
            await Servicios.BorrarBaseAsync(cs);
            await Servicios.BorrarContenedorAsync(contenedor);
        }
    }

    private static async Task<Guid> IniciarCorridaAsync(HttpClient admin, string periodo)
    {
        var req = new HttpRequestMessage(HttpMethod.Post, "api/facturacion/corridas")
        {
            Content = new StringContent($$"""{"periodo":"{{periodo}}"}""", Encoding.UTF8, "application/json"),
        };
        req.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        var r = await admin.SendAsync(req);
        Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);
        return JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetGuid();
    }

    private static async Task<JsonElement> Progreso(HttpClient admin, Guid corrida) =>
        JsonDocument.Parse(await admin.GetStringAsync($"api/facturacion/corridas/{corrida}")).RootElement.Clone();

    private static async Task<JsonElement> EsperarFinAsync(HttpClient admin, Guid corrida)
    {
        var fin = DateTime.UtcNow.AddSeconds(180);
        while (true)
        {
            var p = await Progreso(admin, corrida);
            if (p.GetProperty("estado").GetString() is not ("en_proceso" or "pendiente")) return p;
            Assert.True(DateTime.UtcNow < fin, $"La corrida sigue viva: {p}");
            await Task.Delay(250);
        }
    }

    private static Task<long> Timbradas(string cs, Guid corrida) =>
        Servicios.EscalarAsync<long>(cs, "SELECT count(*) FROM facturas WHERE corrida_id = @corrida AND estado = 'timbrada'", new { corrida })!;
}
