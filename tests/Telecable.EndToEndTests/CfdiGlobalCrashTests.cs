using System.Net;
using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using Dapper;
using Npgsql;

namespace Telecable.EndToEndTests;

/// <summary>
/// Issue 20: the global CFDI of 1,000 receipts with the host killed (SIGKILL) while the PAC call is in flight: the CFDI was
/// sealed and stored with its receipts before the call, so after a restart a new request (another Idempotency-Key) re-sends
/// that same CFDI and the period ends with exactly one global CFDI, one stamp at the PAC and one blob.
/// </summary>
public sealed class CfdiGlobalCrashTests
{
    private const int Recibos = 1000;

    [Fact]
    public async Task Kill_9_durante_el_timbrado_del_cfdi_global_de_1000_recibos_termina_con_un_solo_cfdi()
    {
        var cs = await Servicios.CrearBaseAsync("e2e");
        var contenedor = $"global{Guid.NewGuid():N}"[..20];
        var pac = Path.Combine(Path.GetTempPath(), $"pac-{Guid.NewGuid():N}");
        // A slow PAC so the kill lands while the call is in flight; the timer stays off (the test asks for the CFDI itself).
        var lento = new Dictionary<string, string> { ["Pac__Carpeta"] = pac, ["Pac__Latency"] = "00:00:20", ["Facturacion__CfdiGlobal"] = "false" };
        try
        {
            await using (var primero = new HostProceso("AzureStorage", cs, $"e2e{Guid.NewGuid():N}"[..16], lento, contenedor))
            {
                await primero.IniciarAsync();
                await using (var conexion = new NpgsqlConnection(cs)) await ContratosMasivos.InsertarSinRfcAsync(conexion, Recibos, "PUBLICO CRASH");
                using var admin = await primero.ClienteAsync("admin");
                var corrida = await PostAsync(admin, "api/facturacion/corridas", """{"periodo":"2026-10"}""");
                Assert.Equal(HttpStatusCode.Accepted, corrida.StatusCode);
                var limite = DateTime.UtcNow.AddSeconds(180);
                while (await Servicios.EscalarAsync<long>(cs, "SELECT count(*) FROM facturas WHERE tipo_documento = 'recibo'") < Recibos)
                {
                    Assert.True(DateTime.UtcNow < limite, "La corrida no generó los recibos");
                    await Task.Delay(200);
                }
                // The receipts belong to a closed month (the run is dated today).
                await Servicios.EscalarAsync<int>(cs, "UPDATE facturas SET fecha_emision = '2026-10-20T18:00:00Z' WHERE tipo_documento = 'recibo'");

                var enVuelo = PostAsync(admin, "api/facturacion/globales", """{"periodo":"2026-10"}""");
                limite = DateTime.UtcNow.AddSeconds(60);
                while (await Servicios.EscalarAsync<long>(cs, "SELECT count(*) FROM cfdi_globales WHERE estado = 'sellada'") == 0)
                {
                    Assert.True(DateTime.UtcNow < limite, "El CFDI global no se selló");
                    await Task.Delay(50);
                }
                primero.Matar();
                await Assert.ThrowsAnyAsync<Exception>(() => enVuelo); // the caller never got an answer
            }
            Assert.Equal(0L, await Servicios.EscalarAsync<long>(cs, "SELECT count(*) FROM pac_emulado_timbres"));

            await using var segundo = new HostProceso("AzureStorage", cs, $"e2e{Guid.NewGuid():N}"[..16],
                new Dictionary<string, string> { ["Pac__Carpeta"] = pac, ["Facturacion__CfdiGlobal"] = "false" }, contenedor);
            await segundo.IniciarAsync(segundos: 240);
            using var admin2 = await segundo.ClienteAsync("admin");
            var r = await PostAsync(admin2, "api/facturacion/globales", """{"periodo":"2026-10"}""");
            var texto = await r.Content.ReadAsStringAsync();
            Assert.True(r.StatusCode == HttpStatusCode.OK, texto); // the period's CFDI already existed: resumed, not created
            var g = JsonDocument.Parse(texto).RootElement;
            Assert.Equal(("timbrada", Recibos), (g.GetProperty("estado").GetString(), g.GetProperty("recibos").GetInt32()));

            // And again: still that one.
            var otra = JsonDocument.Parse(await (await PostAsync(admin2, "api/facturacion/globales", """{"periodo":"2026-10"}""")).Content.ReadAsStringAsync()).RootElement;
            Assert.Equal(g.GetProperty("uuid").GetGuid(), otra.GetProperty("uuid").GetGuid());

            await using var cn = new NpgsqlConnection(cs);
            Assert.Equal(1L, await cn.ExecuteScalarAsync<long>("SELECT count(*) FROM cfdi_globales"));
            Assert.Equal(1L, await cn.ExecuteScalarAsync<long>("SELECT count(*) FROM pac_emulado_timbres"));
            Assert.Equal((long)Recibos, await cn.ExecuteScalarAsync<long>(
                "SELECT count(*) FROM facturas f JOIN cfdi_globales g ON g.id = f.cfdi_global_id WHERE g.estado = 'timbrada'"));
            var blobs = 0;
            await foreach (var _ in new BlobContainerClient(Servicios.Azurite, contenedor).GetBlobsAsync()) blobs++;
            Assert.Equal(1, blobs);
        }
        finally
        {
            await Servicios.BorrarBaseAsync(cs);
            await Servicios.BorrarContenedorAsync(contenedor);
        }
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient c, string ruta, string json)
    {
        var req = new HttpRequestMessage(HttpMethod.Post, ruta) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        req.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        return c.SendAsync(req);
    }
}
