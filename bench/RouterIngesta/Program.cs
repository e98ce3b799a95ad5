using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Telecable.Infrastructure.Routers;
using Telecable.LocalHost;

// Router status ingestion: posts/s and p50/p99 at C concurrent connections through the local host
// (HTTP on loopback, in-process), the latency of GET status / fleet while ingesting, and the floor:
// the same ingestion statement straight to PostgreSQL without HTTP.
//   TELECABLE_PG_ADMIN=... dotnet run -c Release --project bench/RouterIngesta -- [--routers 10000] [--concurrencia 32] [--segundos 20]
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
var a = args.Select((x, i) => (x, i)).Where(t => t.x.StartsWith("--")).ToDictionary(t => t.x[2..], t => t.i + 1 < args.Length ? args[t.i + 1] : "");
int Arg(string k, int d) => a.TryGetValue(k, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : d;
var nRouters = Arg("routers", 10_000);
var concurrencia = Arg("concurrencia", 32);
var segundos = Arg("segundos", 20);

var cs = await Telecable.Pruebas.Servicios.CrearBaseAsync("bench_routers", maxPool: 64);
var puerto = Telecable.Pruebas.Servicios.PuertoLibre();
var azurite = Environment.GetEnvironmentVariable("TELECABLE_AZURITE") ?? "UseDevelopmentStorage=true";
var app = await HostLocal.ConstruirAsync(["--settings", "/nonexistent/local.settings.json"], c => c.AddInMemoryCollection(new Dictionary<string, string?>
{
    ["Postgres:ConnectionString"] = cs, ["Postgres:MigrarAlIniciar"] = "true", ["Postgres:CargarDemo"] = "true",
    ["Blob:ConnectionString"] = azurite, ["Blob:ContenedorCfdi"] = "bench-routers", ["AzureWebJobsStorage"] = azurite,
    ["DURABLE_TASK_HUB"] = "benchrouters", ["Durable:Backend"] = "InMemory",
    ["Auth:EmisorDesarrollo"] = "true", ["Auth:SigningKeys:0"] = "clave-de-firma-del-benchmark-de-32-bytes-o-mas", ["Auth:DemoPassword"] = "bench",
    ["Outbox:JsonlPath"] = Path.Combine(Path.GetTempPath(), $"bench-{Guid.NewGuid():N}.jsonl"), ["OutboxRelayCron"] = "*/5 * * * * *", ["PagosInicioCron"] = "*/5 * * * * *",
    ["LocalHost:Port"] = puerto.ToString(), ["ROUTER_MODE"] = "emulated", ["PAC_MODE"] = "emulated", ["PAYMENT_MODE"] = "emulated",
    ["Logging:LogLevel:Default"] = "Warning",
}).AddInMemoryCollection(Telecable.Pruebas.Servicios.AjustesCsd()));
try
{
    await app.StartAsync();
    var url = new Uri($"http://127.0.0.1:{puerto}/");

    // 10,000 routers spread over the demo contracts (so the fleet view covers them), key demo-key-<serial>.
    await using (var cn = new NpgsqlConnection(cs))
    {
        await cn.OpenAsync();
        await new NpgsqlCommand($"""
            INSERT INTO routers (serial, modelo, tecnologia_clave, contrato_id, cliente_id, mac, firmware, device_key_hash)
            SELECT s, 'Bench ONT', 'FTTH', c.id, c.cliente_id, ('02:bb:' || lpad(to_hex(g >> 24 & 255), 2, '0') || ':' || lpad(to_hex(g >> 16 & 255), 2, '0') || ':' || lpad(to_hex(g >> 8 & 255), 2, '0') || ':' || lpad(to_hex(g & 255), 2, '0'))::macaddr,
                   'B1', 'sha256:' || encode(sha256(convert_to('demo-key-' || s, 'UTF8')), 'hex')
            FROM generate_series(1, {nRouters}) g
            CROSS JOIN LATERAL (SELECT 'BENCH' || lpad(g::text, 8, '0') AS s) n
            JOIN LATERAL (SELECT id, cliente_id FROM contratos ORDER BY id OFFSET g % (SELECT count(*) FROM contratos) LIMIT 1) c ON true
            """, cn).ExecuteNonQueryAsync();
    }
    var serials = Enumerable.Range(1, nRouters).Select(g => $"BENCH{g:D8}").ToArray();
    using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrencia + 4 }) { BaseAddress = url };

    HttpRequestMessage Post(string serial, int n) => new(HttpMethod.Post, "api/router/status")
    {
        Headers = { { AutenticadorRouters.Encabezado, $"{serial}:demo-key-{serial}" } },
        Content = JsonContent.Create(new { serial, firmware = "B1", uptimeSegundos = 1000 + n, senalDbm = -19.5m - (n % 7) * 0.1m, bajadaMbps = 300.5m, subidaMbps = 80.25m, clientesConectados = n % 12 }),
    };

    // Warm-up: every router reports once (first state row, key cache filled, JIT).
    await Paralelo(concurrencia, serials.Length, async i => { using var r = await http.SendAsync(Post(serials[i], 0)); r.EnsureSuccessStatusCode(); });

    var token = await Token(http);
    var zona = await EscalarAsync<string>(cs, "SELECT z.clave FROM zonas z JOIN contratos c ON c.zona_id = z.id LIMIT 1");
    var lecturaIds = await ListaAsync(cs, "SELECT id FROM routers WHERE serial LIKE 'BENCH%' ORDER BY random() LIMIT 200");

    // Ingestion through HTTP with a concurrent reader of latest state and fleet.
    var lat = new List<double>[concurrencia];
    var latGet = new List<double>();
    var latFlota = new List<double>();
    var fin = Stopwatch.StartNew();
    var duracion = TimeSpan.FromSeconds(segundos);
    long siguiente = 0, errores = 0;
    var lector = Task.Run(async () =>
    {
        using var h = new HttpClient { BaseAddress = url };
        h.DefaultRequestHeaders.Authorization = new("Bearer", token);
        var k = 0;
        while (fin.Elapsed < duracion)
        {
            var t = Stopwatch.GetTimestamp();
            using (var r = await h.GetAsync($"api/router/status/{lecturaIds[k++ % lecturaIds.Count]}")) r.EnsureSuccessStatusCode();
            latGet.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
            if (k % 5 == 0)
            {
                t = Stopwatch.GetTimestamp();
                using var r = await h.GetAsync($"api/router/flota?zona={zona}&estado=degradado&tamano=50");
                r.EnsureSuccessStatusCode();
                latFlota.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
            }
            await Task.Delay(20);
        }
    });
    var reloj = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, concurrencia).Select(w => Task.Run(async () =>
    {
        var l = lat[w] = new List<double>(100_000);
        while (fin.Elapsed < duracion)
        {
            var i = (int)(Interlocked.Increment(ref siguiente) % serials.Length);
            var t = Stopwatch.GetTimestamp();
            using var r = await http.SendAsync(Post(serials[i], (int)siguiente));
            if (!r.IsSuccessStatusCode) Interlocked.Increment(ref errores);
            l.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
        }
    })));
    var total = lat.Sum(l => l.Count);
    var segundosHttp = reloj.Elapsed.TotalSeconds;
    await lector;

    // Floors, same concurrency, no HTTP: (1) the ingestion statement with one report per call (what a post
    // costs without group commit); (2) the group-commit writer the host uses, called directly.
    var lote = app.Services.GetRequiredService<LoteTelemetria>();
    var ids = await ListaAsync(cs, "SELECT id FROM routers WHERE serial LIKE 'BENCH%'");
    FilaTelemetria Fila(long n) => new(ids[(int)(n % ids.Count)], "en_linea", DateTimeOffset.UtcNow, null, "B1", 1000 + n, -19.5m, null, 300.5m, 80.25m, 5, "{}", []);
    var (pisoUno, latUno) = await Medir(concurrencia, Math.Min(10, segundos), async n => await lote.EjecutarLoteAsync([Fila(n)]));
    var (pisoLote, latLote) = await Medir(concurrencia, Math.Min(10, segundos), async n => await lote.EscribirAsync(Fila(n)));

    var historial = await EscalarAsync<long>(cs, "SELECT count(*) FROM router_estado_historial");
    Console.WriteLine($"máquina: {Environment.ProcessorCount} núcleos; routers: {nRouters}; concurrencia: {concurrencia}; {segundos} s");
    Console.WriteLine($"HTTP POST /api/router/status: {total / segundosHttp:F0} posts/s; {Resumen(lat.SelectMany(x => x))}; errores {errores}");
    Console.WriteLine($"  GET /api/router/status/{{id}} durante la ingesta: {Resumen(latGet)}");
    Console.WriteLine($"  GET /api/router/flota?zona&estado durante la ingesta: {Resumen(latFlota)}");
    Console.WriteLine($"Piso 1 (la sentencia, un reporte por llamada, directo a PostgreSQL): {pisoUno:F0}/s; {Resumen(latUno)}");
    Console.WriteLine($"Piso 2 (escritor por lotes del host, sin HTTP): {pisoLote:F0}/s; {Resumen(latLote)}");
    Console.WriteLine($"filas de historial escritas: {historial}");
}
finally
{
    await app.StopAsync();
    await app.DisposeAsync();
    await Telecable.Pruebas.Servicios.BorrarBaseAsync(cs);
}

static string Resumen(IEnumerable<double> ms)
{
    var o = ms.Order().ToArray();
    if (o.Length == 0) return "sin muestras";
    double P(double q) => o[Math.Min(o.Length - 1, (int)(q * o.Length))];
    return $"n={o.Length} p50={P(0.50):F2} ms p99={P(0.99):F2} ms max={o[^1]:F2} ms";
}

static async Task<(double PorSegundo, List<double> Latencias)> Medir(int concurrencia, int segundos, Func<long, Task> f)
{
    var lat = new List<double>[concurrencia];
    long sig = 0;
    var reloj = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, concurrencia).Select(w => Task.Run(async () =>
    {
        var l = lat[w] = new List<double>(100_000);
        while (reloj.Elapsed < TimeSpan.FromSeconds(segundos))
        {
            var t = Stopwatch.GetTimestamp();
            await f(Interlocked.Increment(ref sig));
            l.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
        }
    })));
    var todas = lat.SelectMany(x => x).ToList();
    return (todas.Count / reloj.Elapsed.TotalSeconds, todas);
}

static async Task Paralelo(int grado, int n, Func<int, Task> f)
{
    var sig = -1;
    await Task.WhenAll(Enumerable.Range(0, grado).Select(_ => Task.Run(async () =>
    {
        int i;
        while ((i = Interlocked.Increment(ref sig)) < n) await f(i);
    })));
}

static async Task<string> Token(HttpClient http)
{
    var r = await http.PostAsJsonAsync("api/auth/token", new { usuario = "soporte", password = "bench" });
    r.EnsureSuccessStatusCode();
    return (await r.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("accessToken").GetString()!;
}

static async Task<T> EscalarAsync<T>(string cs, string sql)
{
    await using var cn = new NpgsqlConnection(cs);
    await cn.OpenAsync();
    return (T)(await new NpgsqlCommand(sql, cn).ExecuteScalarAsync())!;
}

static async Task<List<Guid>> ListaAsync(string cs, string sql)
{
    await using var cn = new NpgsqlConnection(cs);
    await cn.OpenAsync();
    await using var rd = await new NpgsqlCommand(sql, cn).ExecuteReaderAsync();
    var l = new List<Guid>();
    while (await rd.ReadAsync()) l.Add(rd.GetGuid(0));
    return l;
}
