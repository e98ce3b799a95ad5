using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace Telecable.LocalHost;

/// <summary>Reads the two files the real Functions host reads: local.settings.json (Values) and host.json.</summary>
internal static class Configuracion
{
    /// <summary>
    /// Adds local.settings.json's "Values" the way Core Tools does: as environment-style settings, where
    /// "Postgres__ConnectionString" means "Postgres:ConnectionString". Real environment variables win.
    /// </summary>
    public static void AgregarLocalSettings(IConfigurationManager config, string? ruta)
    {
        ruta ??= new[] { "local.settings.json", Path.Combine(AppContext.BaseDirectory, "local.settings.json") }.FirstOrDefault(File.Exists);
        if (ruta is null || !File.Exists(ruta)) return;
        using var doc = JsonDocument.Parse(File.ReadAllText(ruta));
        if (!doc.RootElement.TryGetProperty("Values", out var valores)) return;
        var pares = valores.EnumerateObject().ToDictionary(p => p.Name.Replace("__", ":"), p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : p.Value.GetRawText());
        config.AddInMemoryCollection(pares);
        config.AddEnvironmentVariables();
    }

    /// <summary>extensions.http.routePrefix of host.json ("api" when absent), as the Functions host applies it.</summary>
    public static string PrefijoRutas()
    {
        var ruta = Path.Combine(AppContext.BaseDirectory, "host.json");
        if (!File.Exists(ruta)) return "api";
        using var doc = JsonDocument.Parse(File.ReadAllText(ruta));
        return doc.RootElement.TryGetProperty("extensions", out var e) && e.TryGetProperty("http", out var h)
               && h.TryGetProperty("routePrefix", out var p) ? p.GetString() ?? "api" : "api";
    }

    /// <summary>
    /// extensions.durableTask of host.json, as the Durable extension reads it (docs/escala.md says why each value is what it
    /// is), each value overridable by the setting AzureFunctionsJobHost__extensions__durableTask__... exactly as the
    /// Functions host lets app settings override host.json (infra/bicep sets Azure's that way). Lease timings are not
    /// host.json settings of the extension: the local host keeps short ones of its own so a killed host's partitions
    /// move within seconds.
    /// </summary>
    public static OpcionesDurableHost DurableHost(IConfiguration config, string? rutaHostJson = null)
    {
        rutaHostJson ??= Path.Combine(AppContext.BaseDirectory, "host.json");
        var host = new ConfigurationBuilder().AddJsonFile(Path.GetFullPath(rutaHostJson), optional: true, reloadOnChange: false).Build();
        string? Leer(string clave) =>
            config[$"AzureFunctionsJobHost:extensions:durableTask:{clave}"] is { Length: > 0 } v ? v : host[$"extensions:durableTask:{clave}"];
        int Entero(string clave, int omision) => int.TryParse(Leer(clave), System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0 ? n : omision;
        TimeSpan Lapso(string clave, TimeSpan omision) =>
            TimeSpan.TryParse(Leer(clave), System.Globalization.CultureInfo.InvariantCulture, out var t) && t > TimeSpan.Zero ? t : omision;
        return new OpcionesDurableHost(
            MaxActividades: Entero("maxConcurrentActivityFunctions", 10 * Environment.ProcessorCount),
            MaxOrquestaciones: Entero("maxConcurrentOrchestratorFunctions", 10 * Environment.ProcessorCount),
            Particiones: Entero("storageProvider:partitionCount", 4),
            // Durable:PollingMs (tests) wins over host.json: an onboarding saga waits on the queue between its steps.
            MaxPolling: int.TryParse(config["Durable:PollingMs"], out var ms) && ms > 0
                ? TimeSpan.FromMilliseconds(ms) : Lapso("storageProvider:maxQueuePollingInterval", TimeSpan.FromSeconds(1)),
            VisibilidadTrabajo: Lapso("storageProvider:workItemQueueVisibilityTimeout", TimeSpan.FromSeconds(15)),
            VisibilidadControl: Lapso("storageProvider:controlQueueVisibilityTimeout", TimeSpan.FromSeconds(15)));
    }

    /// <summary>Resolves %Setting% in a timer schedule, as the Functions host does.</summary>
    public static string Resolver(string valor, IConfiguration config) =>
        valor.StartsWith('%') && valor.EndsWith('%')
            ? config[valor.Trim('%').Replace("__", ":")] ?? throw new InvalidOperationException($"Falta el setting {valor}.")
            : valor;

    /// <summary>The repo's static-web/ folder: from settings, else found by walking up to Telecable.sln.</summary>
    public static string? CarpetaStaticWeb(IConfiguration config)
    {
        if (config["LocalHost:StaticWeb"] is { Length: > 0 } s) return Path.GetFullPath(s);
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Telecable.sln"))) return Path.Combine(d.FullName, "static-web");
        return null;
    }
}

/// <summary>The durable settings of host.json the local host applies to its backend (see <see cref="Configuracion.DurableHost"/>).</summary>
public sealed record OpcionesDurableHost(int MaxActividades, int MaxOrquestaciones, int Particiones, TimeSpan MaxPolling,
    TimeSpan VisibilidadTrabajo, TimeSpan VisibilidadControl);
