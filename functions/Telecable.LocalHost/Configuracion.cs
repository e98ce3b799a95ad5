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
