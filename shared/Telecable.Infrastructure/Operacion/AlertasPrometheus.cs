using System.Text.Json;

namespace Telecable.Infrastructure.Operacion;

/// <summary>
/// Reads the pending and firing alerts of a Prometheus server (GET /api/v1/alerts) for the operations page.
/// Only used where Operaciones:PrometheusUrl is set (locally, the Prometheus scripts/up.sh starts); Azure
/// alerts live in Azure Monitor.
/// </summary>
public sealed class AlertasPrometheus(HttpClient http)
{
    public async Task<IReadOnlyList<AlertaActiva>> LeerAsync(string urlBase, CancellationToken ct)
    {
        using var r = await http.GetAsync(new Uri(new Uri(urlBase.TrimEnd('/') + "/"), "api/v1/alerts"), ct);
        r.EnsureSuccessStatusCode();
        using var doc = await JsonDocument.ParseAsync(await r.Content.ReadAsStreamAsync(ct), cancellationToken: ct);
        var alertas = new List<AlertaActiva>();
        foreach (var a in doc.RootElement.GetProperty("data").GetProperty("alerts").EnumerateArray())
        {
            var etiquetas = a.GetProperty("labels");
            var anotaciones = a.TryGetProperty("annotations", out var an) ? an : default;
            alertas.Add(new AlertaActiva(
                Texto(etiquetas, "alertname") ?? "?",
                a.GetProperty("state").GetString() ?? "?",
                Texto(etiquetas, "severity"),
                anotaciones.ValueKind == JsonValueKind.Object ? Texto(anotaciones, "summary") : null,
                a.TryGetProperty("activeAt", out var desde) && desde.TryGetDateTimeOffset(out var d) ? d : null));
        }
        return alertas.OrderBy(a => a.Estado == "firing" ? 0 : 1).ThenBy(a => a.Nombre, StringComparer.Ordinal).ToList();
    }

    private static string? Texto(JsonElement e, string nombre) =>
        e.TryGetProperty(nombre, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
