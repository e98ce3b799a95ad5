using System.Diagnostics;
using System.Diagnostics.Metrics;
using Telecable.Application.Observabilidad;

namespace Telecable.Infrastructure.Pac;

/// <summary>
/// Times every call to the PAC, whichever adapter is behind it: telecable.pac.duracion (ms) by operation
/// and outcome (ok, rechazo, no_disponible, excepcion), the figure behind the PAC latency alert. A slow PAC
/// is the first sign of a billing run that will not finish in its window.
/// </summary>
public sealed class PacMedido(IPacClient pac) : IPacClient
{
    private static readonly Histogram<double> Duracion = Telemetria.Medidor.CreateHistogram<double>(
        "telecable.pac.duracion", unit: "ms", description: "Latencia de las llamadas al PAC por operación y resultado");

    public Task<ResultadoTimbrado> TimbrarAsync(string xmlSellado, CancellationToken cancellationToken) =>
        MedirAsync("timbrar", () => pac.TimbrarAsync(xmlSellado, cancellationToken), r => Resultado(r.Exitoso, r.EsTransitorio));

    public Task<ResultadoCancelacion> CancelarAsync(string uuid, string rfcEmisor, string motivo, string? folioSustitucion, CancellationToken cancellationToken) =>
        MedirAsync("cancelar", () => pac.CancelarAsync(uuid, rfcEmisor, motivo, folioSustitucion, cancellationToken), r => Resultado(r.Exitoso, r.EsTransitorio));

    private static string Resultado(bool exitoso, bool transitorio) => exitoso ? "ok" : transitorio ? "no_disponible" : "rechazo";

    private static async Task<T> MedirAsync<T>(string operacion, Func<Task<T>> llamada, Func<T, string> resultado)
    {
        var inicio = Stopwatch.GetTimestamp();
        var etiqueta = "excepcion";
        try
        {
            var r = await llamada();
            etiqueta = resultado(r);
            return r;
        }
        finally
        {
            Duracion.Record(Stopwatch.GetElapsedTime(inicio).TotalMilliseconds,
                new KeyValuePair<string, object?>("operacion", operacion), new KeyValuePair<string, object?>("resultado", etiqueta));
        }
    }
}
