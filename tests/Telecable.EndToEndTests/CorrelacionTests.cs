using System.Text.Json;
using Azure.Data.Tables;

namespace Telecable.EndToEndTests;

/// <summary>
/// One correlation id, chosen by the caller, follows an onboarding (AltaCliente) and a billing run
/// (TimbradoMasivo) from the HTTP call through every activity the orchestration ran, in the JSON log
/// lines the host process writes to stdout. Which activities ran is read from the orchestration's own
/// history in the Azure Storage backend (Azurite), not assumed.
/// </summary>
public sealed class CorrelacionTests
{
    [Fact]
    public async Task Un_cid_sigue_un_alta_y_una_corrida_desde_la_llamada_http_por_cada_actividad()
    {
        var cs = await Servicios.CrearBaseAsync("e2e");
        var hub = $"e2e{Guid.NewGuid():N}"[..16];
        try
        {
            await using var host = new HostProceso("AzureStorage", cs, hub);
            await host.IniciarAsync();

            var cidAlta = $"alta-{Guid.NewGuid():N}";
            var (alta, eco) = await Flujos.IniciarAltaAsync(host.Http, cidAlta);
            Assert.Equal(cidAlta, eco); // the caller's cid is accepted and echoed, not replaced
            var fin = await Flujos.EsperarAltaAsync(host.Http, alta);
            Assert.True(fin.GetProperty("estado").GetString() == "completada", fin.ToString());

            using var admin = await host.ClienteAsync("admin");
            var cidCorrida = $"corrida-{Guid.NewGuid():N}";
            var (corrida, instancia) = await Flujos.IniciarCorridaAsync(admin, "2026-12", cidCorrida);
            var progreso = await Flujos.EsperarCorridaAsync(admin, corrida);
            Assert.True(progreso.GetProperty("estado").GetString() == "completada", progreso.ToString());

            var actividadesAlta = await AfirmarRecorridoAsync(host, hub, alta, cidAlta);
            Assert.Contains("EjecutarPasoAlta", actividadesAlta);
            Assert.Contains("TerminarAlta", actividadesAlta);
            var actividadesCorrida = await AfirmarRecorridoAsync(host, hub, instancia, cidCorrida);
            // The last episode's history: generation and PrepararCorrida ran in earlier ones (it continues as new after them).
            Assert.Equal(["CerrarCorrida", "PartesCorrida", "TimbrarParte"], actividadesCorrida.Distinct().Order());
            // The orchestrator's own closing line carries the cid too. It is written on the replay after the
            // last activity, which can come after the run reads as completed: wait for it, bounded.
            var limite = DateTime.UtcNow.AddSeconds(30);
            while (!Lineas(host, cidCorrida).Any(EsDelOrquestador) && DateTime.UtcNow < limite) await Task.Delay(200);
            Assert.Contains(Lineas(host, cidCorrida), EsDelOrquestador);
            static bool EsDelOrquestador(JsonElement l) => l.GetProperty("category").GetString() == "TimbradoMasivo";
        }
        finally
        {
            await Servicios.BorrarBaseAsync(cs);
        }
    }

    /// <summary>
    /// Every activity run recorded in the instance's history has its log line with the cid; the HTTP call
    /// that scheduled the instance logged with the cid too; every line with the cid is a complete JSON object.
    /// Returns the activity names the history lists (one per run).
    /// </summary>
    private static async Task<List<string>> AfirmarRecorridoAsync(HostProceso host, string hub, string instancia, string cid)
    {
        var ejecutadas = await ActividadesProgramadasAsync(hub, instancia);
        Assert.NotEmpty(ejecutadas);
        var esperadas = ejecutadas.GroupBy(a => a).ToDictionary(g => g.Key, g => g.Count());

        // Log lines reach stdout through the console logger's queue: wait (bounded) until they are all there.
        var limite = DateTime.UtcNow.AddSeconds(20);
        Dictionary<string, int> vistas;
        while (true)
        {
            vistas = Lineas(host, cid).Where(l => l.TryGetProperty("actividad", out _))
                .GroupBy(l => l.GetProperty("actividad").GetString()!).ToDictionary(g => g.Key, g => g.Count());
            if (esperadas.All(e => vistas.GetValueOrDefault(e.Key) >= e.Value) || DateTime.UtcNow > limite) break;
            await Task.Delay(200);
        }
        foreach (var (actividad, veces) in esperadas)
            Assert.True(vistas.GetValueOrDefault(actividad) >= veces,
                $"{instancia}: la historia registra {veces} ejecuciones de {actividad} y los logs con el cid {cid} muestran {vistas.GetValueOrDefault(actividad)}");

        var lineas = Lineas(host, cid);
        // The HTTP function's own line: it scheduled this very instance, under the caller's cid.
        Assert.Contains(lineas, l => l.TryGetProperty("instanceId", out var i) && i.GetString() == instancia);
        foreach (var l in lineas)
        {
            Assert.Equal(cid, l.GetProperty("cid").GetString());
            Assert.Equal("telecable-comercial", l.GetProperty("service").GetString());
            Assert.True(DateTimeOffset.TryParse(l.GetProperty("timestamp").GetString(), out _), l.ToString());
            Assert.Contains(l.GetProperty("level").GetString(), new[] { "trace", "debug", "info", "warn", "error", "critical" });
        }
        return ejecutadas;
    }

    /// <summary>The stdout lines that mention the cid, each parsed (a line that is not JSON fails the test).</summary>
    private static List<JsonElement> Lineas(HostProceso host, string cid) =>
        host.Salida.Where(l => l.Contains(cid, StringComparison.Ordinal)).Select(l =>
        {
            Assert.False(l.StartsWith("stderr: ", StringComparison.Ordinal), l);
            try
            {
                return JsonDocument.Parse(l).RootElement.Clone();
            }
            catch (JsonException)
            {
                Assert.Fail($"Línea de log que no es JSON: {l}");
                throw;
            }
        }).ToList();

    /// <summary>The activities the orchestration scheduled, from its history table in the task hub (one entry per run).</summary>
    private static async Task<List<string>> ActividadesProgramadasAsync(string hub, string instancia)
    {
        var historia = new TableClient(Servicios.Azurite, hub + "History");
        var nombres = new List<string>();
        await foreach (var e in historia.QueryAsync<TableEntity>(e => e.PartitionKey == instancia))
            if (e.GetString("EventType") == "TaskScheduled") nombres.Add(e.GetString("Name"));
        return nombres;
    }
}
