using System.Globalization;
using Npgsql;
using Telecable.RouterEmulator;

// Emulated routers posting telemetry to the Telecable API and obeying remote resets.
//   dotnet run --project tools/Telecable.RouterEmulator -- --url http://127.0.0.1:7071 --all
//       [--routers N] [--intervalo 10] [--fallas 0.01] [--duracion 0] [--reinicio 5]
//       [--pg "Host=127.0.0.1;Port=55432;Username=telecable;Database=telecable"]
var a = Argumentos.Leer(args);
if (a.ContainsKey("help") || a.ContainsKey("h"))
{
    Console.WriteLine("--url U --routers N | --all --intervalo S --fallas P(0-1 por reporte) --duracion S(0 = sin fin) --reinicio S --pg CONN");
    return 0;
}
var url = a.GetValueOrDefault("url") ?? "http://127.0.0.1:7071";
var pg = a.GetValueOrDefault("pg") ?? Environment.GetEnvironmentVariable("TELECABLE_PG")
         ?? "Host=127.0.0.1;Port=55432;Username=telecable;Database=telecable";
var todos = a.ContainsKey("all");
var cuantos = int.Parse(a.GetValueOrDefault("routers") ?? "10", CultureInfo.InvariantCulture);
var intervalo = TimeSpan.FromSeconds(double.Parse(a.GetValueOrDefault("intervalo") ?? "10", CultureInfo.InvariantCulture));
var fallas = double.Parse(a.GetValueOrDefault("fallas") ?? "0.01", CultureInfo.InvariantCulture);
var duracion = double.Parse(a.GetValueOrDefault("duracion") ?? "0", CultureInfo.InvariantCulture);
var reinicio = TimeSpan.FromSeconds(double.Parse(a.GetValueOrDefault("reinicio") ?? "5", CultureInfo.InvariantCulture));

var routers = await Flota.LeerAsync(pg, todos ? null : cuantos);
Console.WriteLine($"Emulando {routers.Count} routers contra {url} cada {intervalo.TotalSeconds} s, fallas {fallas:P1} por reporte" +
                  (duracion > 0 ? $", durante {duracion} s" : ", hasta Ctrl+C"));

using var cts = duracion > 0 ? new CancellationTokenSource(TimeSpan.FromSeconds(duracion)) : new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = new Uri(url.TrimEnd('/') + "/"), Timeout = TimeSpan.FromSeconds(10) };
var contadores = new Contadores();
var op = new OpcionesEmulacion(intervalo, fallas, reinicio);
var tareas = routers.Select((r, i) => new RouterEmulado(r, http, op, contadores, new Random(HashCode.Combine(r.Serial, i))).EjecutarAsync(cts.Token)).ToList();
var resumen = Task.Run(async () =>
{
    using var t = new PeriodicTimer(TimeSpan.FromSeconds(30));
    try
    {
        while (await t.WaitForNextTickAsync(cts.Token))
            Console.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss} reportes={contadores.Reportes} errores={contadores.Errores} reinicios={contadores.Reinicios} silencios={contadores.Silencios} degradaciones={contadores.Degradaciones}");
    }
    catch (OperationCanceledException) { }
});
await Task.WhenAll(tareas);
await resumen;
Console.WriteLine($"Fin: reportes={contadores.Reportes} errores={contadores.Errores} reinicios={contadores.Reinicios} silencios={contadores.Silencios} degradaciones={contadores.Degradaciones}");
return 0;

/// <summary>Reads the customer routers (serial, technology) from the database the API uses.</summary>
public static class Flota
{
    public static async Task<List<RouterDemo>> LeerAsync(string connectionString, int? limite)
    {
        await using var cn = new NpgsqlConnection(connectionString);
        await cn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "SELECT id, serial, tecnologia_clave, firmware FROM routers WHERE cliente_id IS NOT NULL AND device_key_hash IS NOT NULL ORDER BY serial LIMIT $1", cn);
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)limite ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer });
        var lista = new List<RouterDemo>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) lista.Add(new RouterDemo(r.GetGuid(0), r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3)));
        return lista;
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
