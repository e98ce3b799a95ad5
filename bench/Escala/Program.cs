using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using Dapper;
using Npgsql;

// bench/escala.sh CFDIS HOSTS: a billing run of CFDIS contracts on HOSTS local host processes sharing one task hub (an
// Azurite of the script's own) and one database, one host killed with SIGKILL half way and restarted; before it, a
// 1,000-CFDI run on the same number of hosts (no kill) gives the ratio. Last line: RESULT ...
var cfdis = int.Parse(args[0], CultureInfo.InvariantCulture);
var nHosts = int.Parse(args[1], CultureInfo.InvariantCulture);
var dll = args[2];
var azurite = Env("TELECABLE_AZURITE");
var csd = Env("TELECABLE_CSD_DIR");
Console.WriteLine($"Escala: {cfdis} CFDI en {nHosts} hosts; nproc {Environment.ProcessorCount}; carga {File.ReadAllText("/proc/loadavg").Trim()}");

var base1000 = await Fase.CorrerAsync(1000, nHosts, matar: false, dll, azurite, csd);
Console.WriteLine($"1000 CFDI: {base1000.Segundos:F1} s; timbradas {base1000.Timbradas}, blobs {base1000.Blobs}, RSS pico {base1000.RssMb} MB");
var grande = await Fase.CorrerAsync(cfdis, nHosts, matar: true, dll, azurite, csd);
Console.WriteLine($"{cfdis} CFDI: {grande.Segundos:F1} s ({grande.Timbradas / grande.Segundos:F0} CFDI/s); RSS pico por host {grande.RssMb} MB " +
                  $"({(double)grande.RssMb / Math.Max(1, base1000.RssMb):F2}x el de 1000); carga {File.ReadAllText("/proc/loadavg").Trim()}");
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"RESULT cfdis={cfdis} hosts={nHosts} stamped={grande.Timbradas} blobs={grande.Blobs} duplicates={grande.Duplicados} " +
    $"dup_processing_warnings={grande.Avisos} seconds={grande.Segundos:F1} ratio_vs_1000={grande.Segundos / base1000.Segundos:F1} peak_rss_mb={grande.RssMb}"));

static string Env(string v) => Environment.GetEnvironmentVariable(v) is { Length: > 0 } x ? x : throw new InvalidOperationException($"Falta {v}: corra bench/escala.sh.");

internal sealed record ResultadoFase(double Segundos, int Timbradas, int Blobs, int Duplicados, int Avisos, long RssMb);

internal static class Fase
{
    private const string Password = "bench-escala";

    public static async Task<ResultadoFase> CorrerAsync(int n, int nHosts, bool matar, string dll, string azurite, string csd)
    {
        // Timeout 60 s (Npgsql: 15): on a loaded shared server a host starting next to others timed out loading types.
        var db = new Npgsql.NpgsqlConnectionStringBuilder(await Telecable.Pruebas.Servicios.CrearBaseAsync("escala", maxPool: 30)) { Timeout = 60 }.ConnectionString;
        var hub = $"esc{Guid.NewGuid():N}"[..16];
        var contenedor = $"esc{Guid.NewGuid():N}"[..20];
        var pac = Directory.CreateTempSubdirectory("escala-pac-").FullName;
        var logs = Directory.CreateTempSubdirectory("escala-logs-").FullName;
        var hosts = Enumerable.Range(0, nHosts).Select(i => new Host(i, dll, logs, new Dictionary<string, string>
        {
            ["Postgres__ConnectionString"] = db, ["Postgres__MigrarAlIniciar"] = "true", ["Postgres__CargarDemo"] = "true",
            ["Blob__ConnectionString"] = azurite, ["Blob__ContenedorCfdi"] = contenedor, ["AzureWebJobsStorage"] = azurite,
            ["DURABLE_TASK_HUB"] = hub, ["Durable__Backend"] = "AzureStorage", ["Auth__EmisorDesarrollo"] = "true",
            ["Auth__SigningKeys__0"] = "clave-de-firma-del-benchmark-de-escala-32-bytes", ["Auth__DemoPassword"] = Password,
            ["Outbox__JsonlPath"] = Path.Combine(logs, "eventos.jsonl"), ["OutboxRelayCron"] = "*/5 * * * * *", ["PagosInicioCron"] = "*/5 * * * * *",
            ["PAC_MODE"] = "emulated", ["PAYMENT_MODE"] = "emulated", ["ROUTER_MODE"] = "emulated", ["Pac__Carpeta"] = pac,
            ["Csd__CerPath"] = Path.Combine(csd, "EKU9003173C9.cer"), ["Csd__KeyPath"] = Path.Combine(csd, "EKU9003173C9.key"), ["Csd__Password"] = "12345678a",
            ["Logging__LogLevel__Default"] = "Warning",
        })).ToList();
        try
        {
            // The first host migrates the database and creates the emulated PAC's certificate; the others then join.
            await hosts[0].IniciarAsync();
            await Task.WhenAll(hosts.Skip(1).Select(h => h.IniciarAsync()));
            await using (var cn = new NpgsqlConnection(db)) await Telecable.Pruebas.ContratosMasivos.InsertarAsync(cn, n, "BESC", "CLIENTE ESCALA", 24);

            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{hosts[0].Puerto}/"), Timeout = TimeSpan.FromSeconds(60) };
            var t = await http.PostAsJsonAsync("api/auth/token", new { usuario = "admin", password = Password });
            t.EnsureSuccessStatusCode();
            http.DefaultRequestHeaders.Authorization = new("Bearer", JsonDocument.Parse(await t.Content.ReadAsStringAsync()).RootElement.GetProperty("accessToken").GetString());
            var reloj = Stopwatch.StartNew();
            var req = new HttpRequestMessage(HttpMethod.Post, "api/facturacion/corridas") { Content = new StringContent("""{"periodo":"2026-12"}""", Encoding.UTF8, "application/json") };
            req.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
            var r = await http.SendAsync(req);
            var cuerpo = await r.Content.ReadAsStringAsync();
            if (!r.IsSuccessStatusCode) throw new InvalidOperationException($"POST corridas: {(int)r.StatusCode} {cuerpo}");
            var corrida = JsonDocument.Parse(cuerpo).RootElement.GetProperty("id").GetGuid();

            await using var pg = new NpgsqlConnection(db);
            // Connections: each host's pool times the hosts against the server's limit, which other clients share.
            var maxConexiones = await pg.ExecuteScalarAsync<int>("SELECT current_setting('max_connections')::int");
            var conexionesPico = 0;
            Console.WriteLine($"  [{n}] pool por host {new NpgsqlConnectionStringBuilder(db).MaxPoolSize} x {nHosts} hosts; max_connections {maxConexiones}");
            var muerto = false;
            var limite = DateTime.UtcNow.AddMinutes(10 + n / 1000);
            while (true)
            {
                foreach (var h in hosts) h.MedirRss();
                conexionesPico = Math.Max(conexionesPico, await pg.ExecuteScalarAsync<int>("SELECT count(*)::int FROM pg_stat_activity"));
                var (estado, timbradas) = await pg.QuerySingleAsync<(string, int)>(
                    "SELECT estado, (SELECT count(*)::int FROM facturas WHERE corrida_id = @corrida AND uuid IS NOT NULL) FROM corridas_facturacion WHERE id = @corrida",
                    new { corrida });
                if (estado != "en_proceso") break;
                if (matar && !muerto && timbradas >= n / 2)
                {
                    // The last host, not the one that took the HTTP call: SIGKILL, no shutdown, its leases and messages left as they are.
                    var victima = hosts[^1];
                    Console.WriteLine($"  kill -9 del host {victima.Indice} (pid {victima.Pid}) con {timbradas} timbradas a {reloj.Elapsed.TotalSeconds:F1} s");
                    victima.Matar();
                    muerto = true;
                    await Task.Delay(1000);
                    await victima.IniciarAsync();
                    Console.WriteLine($"  host {victima.Indice} reiniciado a {reloj.Elapsed.TotalSeconds:F1} s");
                }
                if (DateTime.UtcNow > limite) throw new TimeoutException($"La corrida de {n} no terminó: {estado}, {timbradas} timbradas");
                await Task.Delay(500);
            }
            var segundos = reloj.Elapsed.TotalSeconds;
            var final = await pg.QuerySingleAsync<(string Estado, int Timbradas, int Distintas, int Errores)>(
                "SELECT (SELECT estado FROM corridas_facturacion WHERE id = @corrida), count(uuid)::int, count(DISTINCT uuid)::int, count(*) FILTER (WHERE estado = 'error')::int FROM facturas WHERE corrida_id = @corrida",
                new { corrida });
            // A CFDI stamped twice would show as two UUIDs for one invoice (impossible by the schema), two invoices with one
            // UUID, or two FacturaTimbrada events for one invoice.
            var eventosDobles = await pg.ExecuteScalarAsync<int>(
                "SELECT count(*)::int FROM (SELECT agregado_id FROM outbox WHERE tipo = 'FacturaTimbrada' GROUP BY agregado_id HAVING count(*) > 1) x");
            var blobs = 0;
            await foreach (var _ in new BlobContainerClient(azurite, contenedor).GetBlobsAsync()) blobs++;
            var avisos = hosts.Sum(h => h.ContarAvisos());
            var splitBrain = hosts.Sum(h => h.ContarSplitBrain());
            Console.WriteLine($"  [{n}] conexiones pico en el servidor (todas las bases): {conexionesPico} de {maxConexiones}");
            foreach (var error in hosts.SelectMany(h => h.ErroresPostgres()).Distinct().Take(5)) Console.WriteLine($"  [{n}] PostgreSQL: {error}");
            Console.WriteLine($"  [{n}] {final.Estado} en {segundos:F1} s: {final.Timbradas} timbradas ({final.Distintas} UUID distintos), {final.Errores} con error, " +
                              $"{blobs} blobs, {eventosDobles} facturas con dos eventos, {avisos} avisos de doble proceso/PopReceiptMismatch, {splitBrain} episodios descartados por split brain; logs en {logs}");
            return new ResultadoFase(segundos, final.Timbradas, blobs, final.Timbradas - final.Distintas + eventosDobles, avisos, hosts.Max(h => h.RssPicoMb));
        }
        finally
        {
            foreach (var h in hosts) h.Matar();
            await Telecable.Pruebas.Servicios.BorrarBaseAsync(db);
            try { await new BlobContainerClient(azurite, contenedor).DeleteIfExistsAsync(); } catch (Azure.RequestFailedException) { }
        }
    }
}

/// <summary>One local host process (nice 10, as scripts/up.sh runs it), its stdout appended to a file, its peak RSS.</summary>
internal sealed class Host(int indice, string dll, string logs, Dictionary<string, string> entorno)
{
    private Process? _p;
    private readonly string _log = Path.Combine(logs, $"host{indice}.log");
    public int Indice => indice;
    public int Puerto { get; } = 17100 + Random.Shared.Next(0, 800) * 3 + indice;
    public int Pid => _p?.Id ?? 0;
    public long RssPicoMb { get; private set; }

    public async Task IniciarAsync()
    {
        var psi = new ProcessStartInfo("nice", ["-n", "10", "dotnet", dll, "--settings", "/nonexistent/local.settings.json"])
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var (k, v) in entorno) psi.Environment[k] = v;
        psi.Environment["LocalHost__Port"] = Puerto.ToString(CultureInfo.InvariantCulture);
        var salida = new StreamWriter(_log, append: true) { AutoFlush = true };
        _p = Process.Start(psi)!;
        _p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (salida) salida.WriteLine(e.Data); };
        _p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (salida) salida.WriteLine("stderr: " + e.Data); };
        _p.BeginOutputReadLine();
        _p.BeginErrorReadLine();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var limite = DateTime.UtcNow.AddSeconds(240);
        while (true)
        {
            if (_p.HasExited) throw new InvalidOperationException($"El host {indice} terminó al arrancar; ver {_log}");
            try
            {
                if ((await http.GetAsync($"http://127.0.0.1:{Puerto}/api/health")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            if (DateTime.UtcNow > limite) throw new TimeoutException($"El host {indice} no respondió; ver {_log}");
            await Task.Delay(500);
        }
    }

    /// <summary>VmHWM of the host's dotnet process (nice execs it, so the pid is dotnet's): the peak resident set.</summary>
    public void MedirRss()
    {
        if (_p is null || _p.HasExited) return;
        try
        {
            var linea = File.ReadLines($"/proc/{_p.Id}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            if (linea is not null) RssPicoMb = Math.Max(RssPicoMb, long.Parse(linea.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024);
        }
        catch (IOException) { }
    }

    public void Matar()
    {
        if (_p is { HasExited: false })
        {
            MedirRss();
            _p.Kill(entireProcessTree: true);
            _p.WaitForExit();
        }
    }

    /// <summary>The SQLSTATE and message of each PostgreSQL error the host logged ("Npgsql.PostgresException ... 40P01: deadlock detected").</summary>
    public IEnumerable<string> ErroresPostgres() => File.Exists(_log)
        ? File.ReadLines(_log).Select(l => System.Text.RegularExpressions.Regex.Match(l, @"\b[0-9]{2}[0-9A-Z]{3}: [^;\r\n]{1,120}"))
            .Where(m => m.Success).Select(m => m.Value)
        : [];

    /// <summary>DurableTask.AzureStorage's signs of one work item run twice at once.</summary>
    public int ContarAvisos() => Contar("processed multiple times concurrently", "PopReceiptMismatch");

    /// <summary>Orchestration episodes run by two hosts at once, the second one's history discarded.</summary>
    public int ContarSplitBrain() => Contar("Split brain detected");

    private int Contar(params string[] textos) => File.Exists(_log)
        ? File.ReadLines(_log).Count(l => textos.Any(t => l.Contains(t, StringComparison.Ordinal)))
        : 0;
}
