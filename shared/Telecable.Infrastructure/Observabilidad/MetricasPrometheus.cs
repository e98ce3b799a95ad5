using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using Prometheus;
using ContadorProm = Prometheus.Counter;
using HistogramaProm = Prometheus.Histogram;
using MedidorProm = Prometheus.Gauge;
using Telecable.Application.Observabilidad;

namespace Telecable.Infrastructure.Observabilidad;

/// <summary>
/// The app's own instruments (Meter "Telecable", System.Diagnostics.Metrics) exported for GET /api/metrics
/// through prometheus-net: the library owns the series, the histogram buckets and the text exposition format
/// (escaping, HELP/TYPE). What stays here is the mapping of instrument kinds to the names the alert rules
/// (infra/prometheus/alertas.yml) already use: counters as <c>name_total</c>, units ms/s as a suffix,
/// histograms with fixed buckets, observable gauges read at scrape time.
/// prometheus-net's own MeterAdapter is not used because it turns counters into gauges without <c>_total</c>,
/// and OpenTelemetry's Prometheus exporter renames units (ms to milliseconds) and serves only ASP.NET middleware,
/// not a function behind Api's admin check. Per-instance figures: in Azure, the OpenTelemetry exporter to
/// Application Insights aggregates across instances.
/// </summary>
public sealed class MetricasPrometheus : IDisposable
{
    private static readonly double[] Limites = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000];

    private readonly CollectorRegistry _registro = Metrics.NewCustomRegistry();
    private readonly IMetricFactory _fabrica;
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Instrument, Serie> _series = new();

    public MetricasPrometheus()
    {
        _fabrica = Metrics.WithCustomRegistry(_registro);
        _listener.InstrumentPublished = (i, l) =>
        {
            if (i.Meter.Name == Telemetria.Nombre) l.EnableMeasurementEvents(i);
        };
        _listener.SetMeasurementEventCallback<long>((i, v, t, _) => Registrar(i, v, t));
        _listener.SetMeasurementEventCallback<int>((i, v, t, _) => Registrar(i, v, t));
        _listener.SetMeasurementEventCallback<double>((i, v, t, _) => Registrar(i, v, t));
        _listener.Start();
        // Observable gauges are read when Prometheus scrapes, not before.
        _registro.AddBeforeCollectCallback(_listener.RecordObservableInstruments);
    }

    /// <summary>The text a Prometheus server scrapes (text format 0.0.4).</summary>
    public async Task<string> RenderizarAsync(CancellationToken ct = default)
    {
        using var flujo = new MemoryStream();
        await _registro.CollectAndExportAsTextAsync(flujo, ct);
        return System.Text.Encoding.UTF8.GetString(flujo.GetBuffer(), 0, (int)flujo.Length);
    }

    private void Registrar(Instrument i, double valor, ReadOnlySpan<KeyValuePair<string, object?>> etiquetas)
    {
        var serie = _series.GetOrAdd(i, static (ins, e) => e.fabrica.Crear(ins, e.nombres), (fabrica: this, nombres: Nombres(etiquetas)));
        serie.Registrar(valor, etiquetas);
    }

    private Serie Crear(Instrument i, string[] etiquetas)
    {
        var nombre = new string(i.Name.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray());
        if (i.Unit is "ms" or "s") nombre = $"{nombre}_{i.Unit}";
        var ayuda = string.IsNullOrEmpty(i.Description) ? i.Name : i.Description;
        var tipo = i.GetType().GetGenericTypeDefinition();
        if (tipo == typeof(System.Diagnostics.Metrics.Histogram<>))
            return new Serie(etiquetas, _fabrica.CreateHistogram(nombre, ayuda, etiquetas, new HistogramConfiguration { Buckets = Limites }), null, null, false);
        if (tipo == typeof(System.Diagnostics.Metrics.Counter<>))
            return new Serie(etiquetas, null, _fabrica.CreateCounter(nombre + "_total", ayuda, etiquetas), null, false);
        // Observable instruments report the current value; an UpDownCounter reports increments.
        return new Serie(etiquetas, null, null, _fabrica.CreateGauge(nombre, ayuda, etiquetas), i.IsObservable);
    }

    private static string[] Nombres(ReadOnlySpan<KeyValuePair<string, object?>> etiquetas)
    {
        var n = new string[etiquetas.Length];
        for (var k = 0; k < etiquetas.Length; k++)
            n[k] = new string(etiquetas[k].Key.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray());
        Array.Sort(n, StringComparer.Ordinal);
        return n;
    }

    public void Dispose() => _listener.Dispose();

    /// <summary>
    /// One instrument's metric. Its label names are those of its first measurement (Prometheus wants one set per
    /// name); a later measurement lacking one gets "" for it, and tags outside the set are left out.
    /// </summary>
    private sealed class Serie(string[] etiquetas, HistogramaProm? histograma, ContadorProm? contador, MedidorProm? medidor, bool fijar)
    {
        public void Registrar(double valor, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var valores = new string[etiquetas.Length];
            for (var k = 0; k < etiquetas.Length; k++)
            {
                valores[k] = "";
                foreach (var t in tags)
                    if (t.Key.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').SequenceEqual(etiquetas[k]))
                    {
                        valores[k] = Convert.ToString(t.Value, CultureInfo.InvariantCulture) ?? "";
                        break;
                    }
            }
            if (histograma is not null) histograma.WithLabels(valores).Observe(valor);
            else if (contador is not null) contador.WithLabels(valores).Inc(valor);
            else if (fijar) medidor!.WithLabels(valores).Set(valor);
            else medidor!.WithLabels(valores).Inc(valor);
        }
    }
}
