using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Telecable.Application.Observabilidad;

/// <summary>The app's one ActivitySource and Meter, registered with OpenTelemetry under the same name.</summary>
public static class Telemetria
{
    public const string Nombre = "Telecable";
    public const string Servicio = "telecable-comercial";
    public static readonly ActivitySource Fuente = new(Nombre);
    public static readonly Meter Medidor = new(Nombre);

    /// <summary>
    /// gRPC path prefix of the Durable Task sidecar protocol (worker and client talk it to the Functions
    /// host, or to the local host's in-process sidecar): plumbing polled all the time, kept out of traces
    /// so that they show the orchestration and activity spans instead.
    /// </summary>
    public const string RutaSidecarDurable = "/TaskHubSidecarService/";

    public static bool EsSidecarDurable(string? ruta) => ruta?.StartsWith(RutaSidecarDurable, StringComparison.Ordinal) == true;

    /// <summary>Which outgoing HTTP calls get an HttpClient span: not the durable sidecar's polling, and not the
    /// Azure SDK's calls (x-ms-version), whose pipeline already traces each one through the Azure.* sources.</summary>
    public static bool TrazarLlamadaHttp(HttpRequestMessage r) =>
        !EsSidecarDurable(r.RequestUri?.AbsolutePath) && !r.Headers.Contains("x-ms-version");
}

/// <summary>The correlation id of the current operation, flowing with the async context.</summary>
public static class Correlacion
{
    public const string Encabezado = "X-Correlation-Id";
    private static readonly AsyncLocal<string?> Actual = new();

    public static string? Cid => Actual.Value;

    /// <summary>Sets the cid for this async flow (HTTP call, activity) and tags the current span with it.</summary>
    public static void Establecer(string cid)
    {
        Actual.Value = cid;
        Activity.Current?.SetTag("cid", cid);
    }

    /// <summary>A new cid set for this async flow: a timer's run, which has no caller to take one from.</summary>
    public static string Nueva()
    {
        var cid = Guid.NewGuid().ToString("N");
        Establecer(cid);
        return cid;
    }

    /// <summary>Accepts a caller's id only if it is short and plain, so logs cannot be forged through it.</summary>
    public static string Normalizar(string? recibido) =>
        recibido is { Length: > 0 and <= 64 } && recibido.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
            ? recibido
            : Guid.NewGuid().ToString("N");
}
