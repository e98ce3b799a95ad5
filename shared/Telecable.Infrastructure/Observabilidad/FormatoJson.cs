using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Telecable.Application.Observabilidad;

namespace Telecable.Infrastructure.Observabilidad;

/// <summary>
/// One JSON object per log line: timestamp, level, service, cid, category, message, the structured
/// state and the exception type (the stack goes to the trace exporter, not to the console of a shared host).
/// </summary>
public sealed class FormatoJson() : ConsoleFormatter(NombreFormato)
{
    public const string NombreFormato = "telecable-json";

    public override void Write<TState>(in LogEntry<TState> entrada, IExternalScopeProvider? scopes, TextWriter escritor)
    {
        var mensaje = entrada.Formatter(entrada.State, entrada.Exception);
        if (mensaje is null && entrada.Exception is null) return;
        using var buffer = new MemoryStream();
        using (var j = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            j.WriteStartObject();
            j.WriteString("timestamp", DateTimeOffset.UtcNow.ToString("O"));
            j.WriteString("level", Nivel(entrada.LogLevel));
            j.WriteString("service", Telemetria.Servicio);
            var cid = Correlacion.Cid;
            scopes?.ForEachScope((scope, _) =>
            {
                if (scope is IEnumerable<KeyValuePair<string, object?>> pares)
                    foreach (var (k, v) in pares) if (k == "cid" && v is string s) cid = s;
            }, (object?)null);
            var estado = entrada.State as IEnumerable<KeyValuePair<string, object?>>;
            // An orchestrator has no ambient cid (it replays on any thread): its lines name the cid as a
            // message argument ("...; cid {Cid}"), which then is the line's cid, written once.
            cid = estado?.FirstOrDefault(p => EsCid(p.Key)).Value?.ToString() ?? cid;
            if (cid is not null) j.WriteString("cid", cid);
            j.WriteString("category", entrada.Category);
            j.WriteString("message", mensaje);
            if (System.Diagnostics.Activity.Current is { } act) j.WriteString("traceId", act.TraceId.ToString());
            foreach (var (k, v) in estado ?? [])
                if (k != "{OriginalFormat}" && !EsCid(k)) j.WriteString(char.ToLowerInvariant(k[0]) + k[1..], v?.ToString());
            if (entrada.Exception is { } ex)
            {
                j.WriteString("exception", ex.GetType().FullName);
                j.WriteString("exceptionMessage", ex.Message);
            }
            j.WriteEndObject();
        }
        escritor.Write(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        escritor.Write('\n');
    }

    private static bool EsCid(string clave) => clave.Equals("cid", StringComparison.OrdinalIgnoreCase);

    private static string Nivel(LogLevel n) => n switch
    {
        LogLevel.Trace => "trace",
        LogLevel.Debug => "debug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "error",
        LogLevel.Critical => "critical",
        _ => "none",
    };
}
