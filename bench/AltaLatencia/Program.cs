// Onboarding latency: POST /api/altas until GET /api/altas/{id} says completada (the saga's five
// steps: quote, customer, contract, installation ticket with technician, welcome message), on the
// real local host over HTTP, per durable backend. Not a test: it prints figures and the floor.
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Npgsql;
using Telecable.Domain.Identidad;
using Telecable.LocalHost;

var n = args.Length > 0 ? int.Parse(args[0]) : 40;
var backends = args.Length > 1 ? args[1].Split(',') : ["InMemory", "AzureStorage"];
const double PisoMs = 1000; // the issue's floor: p95 under 1 s
var azurite = Environment.GetEnvironmentVariable("TELECABLE_AZURITE") ?? throw new InvalidOperationException("Falta TELECABLE_AZURITE.");
var exito = true;

foreach (var backend in backends)
{
    // Npgsql's default pool (100), as before.
    var cs = await Telecable.Pruebas.Servicios.CrearBaseAsync("bench_alta", maxPool: 100);
    using var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
    l.Start();
    var puerto = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
    l.Stop();
    var ajustes = new Dictionary<string, string?>
    {
        ["Postgres:ConnectionString"] = cs, ["Postgres:MigrarAlIniciar"] = "true", ["Postgres:CargarDemo"] = "true",
        ["Blob:ConnectionString"] = azurite, ["Blob:ContenedorCfdi"] = $"bench{Guid.NewGuid():N}"[..20], ["AzureWebJobsStorage"] = azurite,
        ["DURABLE_TASK_HUB"] = $"bench{Guid.NewGuid():N}"[..16], ["Durable:Backend"] = backend,
        ["Auth:EmisorDesarrollo"] = "true", ["Auth:SigningKeys:0"] = "clave-de-firma-del-benchmark-de-32-bytes-o-mas", ["Auth:DemoPassword"] = "bench",
        // The bench polls the saga every 5 ms from one address: the per-client limit is not what it measures.
        ["Limites:AnonimoPorMinuto"] = "1000000",
        ["Outbox:JsonlPath"] = Path.Combine(Path.GetTempPath(), $"bench-{Guid.NewGuid():N}.jsonl"),
        ["LocalHost:Port"] = puerto.ToString(), ["PAC_MODE"] = "emulated", ["PAYMENT_MODE"] = "emulated", ["ROUTER_MODE"] = "emulated",
        ["Logging:LogLevel:Default"] = "Warning", ["OutboxRelayCron"] = "*/1 * * * * *", ["PagosInicioCron"] = "*/5 * * * * *",
    };
    var app = await HostLocal.ConstruirAsync(["--settings", "/nonexistent/local.settings.json"], c => c.AddInMemoryCollection(ajustes).AddInMemoryCollection(Telecable.Pruebas.Servicios.AjustesCsd()));
    await app.StartAsync();
    using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{puerto}/"), Timeout = TimeSpan.FromSeconds(60) };
    try
    {
        for (var i = 0; i < 5; i++) await AltaAsync(http); // warm-up (JIT, pools, durable worker)
        var ms = new List<double>();
        for (var i = 0; i < n; i++) ms.Add(await AltaAsync(http));
        ms.Sort();
        double P(double q) => ms[Math.Min(ms.Count - 1, (int)Math.Ceiling(q * ms.Count) - 1)];
        var p95 = P(0.95);
        exito &= p95 < PisoMs;
        Console.WriteLine($"{backend,-13} n={n} p50={P(0.50):0} ms p95={p95:0} ms max={ms[^1]:0} ms  floor p95 < {PisoMs:0} ms: {(p95 < PisoMs ? "ok" : "NOT MET")}");
    }
    finally
    {
        await app.StopAsync();
        await app.DisposeAsync();
        await Telecable.Pruebas.Servicios.BorrarBaseAsync(cs);
    }
}
return exito ? 0 : 1;

static async Task<double> AltaAsync(HttpClient http)
{
    var cuerpo = new
    {
        cliente = new
        {
            nombre = "CLIENTE BENCHMARK", rfc = Rfc(), email = $"bench.{Guid.NewGuid():N}@example.com", telefono = "8112345678",
            regimenFiscal = "612", usoCfdi = "G03", cpFiscal = "64000",
            domicilio = new { calle = "Av. Constitución", numeroExterior = "100", colonia = "Monterrey Centro", cp = "64000" },
            consentimiento = new { avisoPrivacidadVersion = "2026-01", aceptaMarketing = false, origen = "portal_cliente" },
        },
        planId = "00000000-0000-0000-0000-000000002002",
    };
    var sw = Stopwatch.StartNew();
    using var req = new HttpRequestMessage(HttpMethod.Post, "api/altas") { Content = JsonContent.Create(cuerpo) };
    req.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
    using var r = await http.SendAsync(req);
    r.EnsureSuccessStatusCode();
    var id = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();
    while (true)
    {
        using var doc = JsonDocument.Parse(await http.GetStringAsync($"api/altas/{id}"));
        var estado = doc.RootElement.GetProperty("estado").GetString();
        if (estado == "completada") return sw.Elapsed.TotalMilliseconds;
        if (estado == "fallida") throw new InvalidOperationException($"El alta falló: {doc.RootElement}");
        await Task.Delay(5);
    }
}

static string Rfc()
{
    const string letras = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    var r = Random.Shared;
    var sb = new StringBuilder();
    for (var i = 0; i < 4; i++) sb.Append(letras[r.Next(letras.Length)]);
    sb.Append($"{r.Next(50, 99):00}{r.Next(1, 13):00}{r.Next(1, 29):00}").Append(letras[r.Next(letras.Length)]).Append(r.Next(10));
    var s = sb.ToString();
    return s + Telecable.Domain.Identidad.Rfc.CalcularDigitoVerificador(s);
}
