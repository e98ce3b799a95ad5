using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Telecable.RouterEmulator;

// Emulated routers posting telemetry to the Telecable API and obeying remote commands (reset, suspend, reactivate).
// The fleet is learned through the API (GET /api/router/flota, as a support user), polled every --descubrir seconds, so a
// router registered by an installation after the emulator started is picked up; each router authenticates with the
// device key provisioned into it, read from the key store (--claves, JSON {serial: key}, re-read on every poll): the
// seed's keys ship in claves-demo.json; an installation's key (shown once to the technician) is added there, as the
// technician's app would push it into a real router. A router without a key is not emulated (never a guessed key).
//   dotnet run --project tools/Telecable.RouterEmulator -- --url http://127.0.0.1:7071 --all --password "$DEMO_PASSWORD"
//       [--usuario soporte] [--routers N] [--intervalo 10] [--fallas 0.01] [--duracion 0] [--reinicio 5] [--descubrir 15]
//       [--claves claves-demo.json[,otra.json]]
var a = Argumentos.Leer(args);
if (a.ContainsKey("help") || a.ContainsKey("h"))
{
    Console.WriteLine("--url U --usuario U --password P --routers N | --all --intervalo S --fallas P(0-1 por reporte) --duracion S(0 = sin fin) --reinicio S --descubrir S --claves ARCHIVOS");
    return 0;
}
var url = a.GetValueOrDefault("url") ?? "http://127.0.0.1:7071";
var usuario = a.GetValueOrDefault("usuario") ?? "soporte";
var password = a.GetValueOrDefault("password") ?? Environment.GetEnvironmentVariable("DEMO_PASSWORD") ?? "";
var todos = a.ContainsKey("all");
var cuantos = int.Parse(a.GetValueOrDefault("routers") ?? "10", CultureInfo.InvariantCulture);
var intervalo = TimeSpan.FromSeconds(double.Parse(a.GetValueOrDefault("intervalo") ?? "10", CultureInfo.InvariantCulture));
var fallas = double.Parse(a.GetValueOrDefault("fallas") ?? "0.01", CultureInfo.InvariantCulture);
var duracion = double.Parse(a.GetValueOrDefault("duracion") ?? "0", CultureInfo.InvariantCulture);
var reinicio = TimeSpan.FromSeconds(double.Parse(a.GetValueOrDefault("reinicio") ?? "5", CultureInfo.InvariantCulture));
var descubrir = TimeSpan.FromSeconds(double.Parse(a.GetValueOrDefault("descubrir") ?? "15", CultureInfo.InvariantCulture));
var archivosClaves = (a.GetValueOrDefault("claves") ?? Path.Combine(AppContext.BaseDirectory, "claves-demo.json"))
    .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

using var cts = duracion > 0 ? new CancellationTokenSource(TimeSpan.FromSeconds(duracion)) : new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = new Uri(url.TrimEnd('/') + "/"), Timeout = TimeSpan.FromSeconds(10) };
var flota = new Flota(http, usuario, password, archivosClaves);
var contadores = new Contadores();
var op = new OpcionesEmulacion(intervalo, fallas, reinicio);
var tareas = new List<Task>();
var emulados = new HashSet<string>(StringComparer.Ordinal);
Console.WriteLine($"Emulando la flota de {url} cada {intervalo.TotalSeconds} s, fallas {fallas:P1} por reporte, buscando routers nuevos cada {descubrir.TotalSeconds} s" +
                  (duracion > 0 ? $", durante {duracion} s" : ", hasta Ctrl+C"));
var resumen = Task.Run(async () =>
{
    using var t = new PeriodicTimer(TimeSpan.FromSeconds(30));
    try
    {
        while (await t.WaitForNextTickAsync(cts.Token))
            Console.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss} routers={emulados.Count} reportes={contadores.Reportes} errores={contadores.Errores} reinicios={contadores.Reinicios} silencios={contadores.Silencios} degradaciones={contadores.Degradaciones}");
    }
    catch (OperationCanceledException) { }
});
try
{
    using var t = new PeriodicTimer(descubrir);
    do
    {
        try
        {
            foreach (var r in await flota.LeerAsync(cts.Token))
            {
                if (!todos && emulados.Count >= cuantos) break;
                if (!emulados.Add(r.Serial)) continue;
                Console.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss} router {r.Serial} ({r.Tecnologia}) emulado");
                tareas.Add(new RouterEmulado(r, http, op, contadores, new Random(HashCode.Combine(r.Serial, emulados.Count))).EjecutarAsync(cts.Token));
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException && !cts.IsCancellationRequested)
        {
            Console.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss} no se pudo leer la flota: {e.Message}");
        }
    } while (await t.WaitForNextTickAsync(cts.Token));
}
catch (OperationCanceledException) { }
await Task.WhenAll(tareas);
await resumen;
Console.WriteLine($"Fin: routers={emulados.Count} reportes={contadores.Reportes} errores={contadores.Errores} reinicios={contadores.Reinicios} silencios={contadores.Silencios} degradaciones={contadores.Degradaciones}");
return 0;

/// <summary>The fleet as the API lists it (GET /api/router/flota, paged, with a support user's token), joined with the key
/// store: only routers whose device key was provisioned (listed in a key file) are returned.</summary>
public sealed class Flota(HttpClient http, string usuario, string password, IReadOnlyList<string> archivosClaves)
{
    private string? _token;

    public async Task<List<RouterDemo>> LeerAsync(CancellationToken ct)
    {
        var claves = LeerClaves(archivosClaves);
        var lista = new List<RouterDemo>();
        for (var pagina = 1; ; pagina++)
        {
            var doc = await GetAsync($"api/router/flota?pagina={pagina}&tamano=1000", ct);
            var routers = doc.GetProperty("routers").EnumerateArray().ToList();
            foreach (var r in routers)
            {
                var serial = r.GetProperty("serial").GetString()!;
                if (!claves.TryGetValue(serial, out var clave)) continue;
                var tecnologia = r.TryGetProperty("tecnologia", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "FTTH";
                lista.Add(new RouterDemo(r.GetProperty("routerId").GetGuid(), serial, tecnologia, null, clave));
            }
            if (routers.Count < 1000) return lista;
        }
    }

    /// <summary>serial → device key from every key file (later files win); a missing file is an empty store.</summary>
    public static Dictionary<string, string> LeerClaves(IEnumerable<string> archivos)
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var f in archivos.Where(File.Exists))
            foreach (var (k, v) in JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(f)) ?? [])
                d[k] = v;
        return d;
    }

    private async Task<JsonElement> GetAsync(string ruta, CancellationToken ct)
    {
        for (var intento = 0; ; intento++)
        {
            _token ??= await TokenAsync(ct);
            using var m = new HttpRequestMessage(HttpMethod.Get, ruta);
            m.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
            using var r = await http.SendAsync(m, ct);
            if (r.StatusCode == System.Net.HttpStatusCode.Unauthorized && intento == 0) { _token = null; continue; }
            r.EnsureSuccessStatusCode();
            return await r.Content.ReadFromJsonAsync<JsonElement>(ct);
        }
    }

    private async Task<string> TokenAsync(CancellationToken ct)
    {
        using var r = await http.PostAsJsonAsync("api/auth/token", new { usuario, password }, ct);
        r.EnsureSuccessStatusCode();
        return (await r.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("accessToken").GetString()!;
    }
}

internal static class Argumentos
{
    /// <summary>--clave valor pairs; a flag without value (e.g. --all) maps to "true".</summary>
    public static Dictionary<string, string> Leer(string[] args)
    {
        var d = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith('-')) continue;
            var k = args[i].TrimStart('-');
            d[k] = i + 1 < args.Length && !args[i + 1].StartsWith("--") ? args[++i] : "true";
        }
        return d;
    }
}
