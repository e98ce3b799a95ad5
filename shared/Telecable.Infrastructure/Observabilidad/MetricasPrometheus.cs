using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Telecable.Infrastructure.Observabilidad;

/// <summary>
/// Collects the app's own instruments (Meter "Telecable") with a MeterListener and renders them in the
/// Prometheus text exposition format for GET /api/metrics. Counters become *_total, histograms get
/// fixed buckets, observable gauges are read at scrape time. Per-instance figures: in Azure, the
/// OpenTelemetry exporter to Application Insights aggregates across instances.
/// </summary>
public sealed class MetricasPrometheus : IDisposable
{
    private static readonly double[] Limites = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000];

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(Instrument, string), Serie> _series = new();
    private readonly ConcurrentDictionary<Instrument, byte> _instrumentos = new();

    public MetricasPrometheus()
    {
        _listener.InstrumentPublished = (i, l) =>
        {
            if (i.Meter.Name != Telemetria.Nombre) return;
            _instrumentos.TryAdd(i, 0);
            l.EnableMeasurementEvents(i);
        };
        _listener.SetMeasurementEventCallback<long>((i, v, t, _) => Registrar(i, v, t));
        _listener.SetMeasurementEventCallback<int>((i, v, t, _) => Registrar(i, v, t));
        _listener.SetMeasurementEventCallback<double>((i, v, t, _) => Registrar(i, v, t));
        _listener.Start();
    }

    private void Registrar(Instrument i, double valor, ReadOnlySpan<KeyValuePair<string, object?>> etiquetas)
    {
        var clave = Etiquetas(etiquetas);
        var serie = _series.GetOrAdd((i, clave), _ => new Serie(i is Histogram<double> or Histogram<long> or Histogram<int>));
        if (i.IsObservable) serie.Fijar(valor);
        else serie.Sumar(valor);
    }

    /// <summary>The text a Prometheus server scrapes.</summary>
    public string Renderizar()
    {
        _listener.RecordObservableInstruments();
        var sb = new StringBuilder();
        foreach (var grupo in _series.GroupBy(s => s.Key.Item1).OrderBy(g => g.Key.Name, StringComparer.Ordinal))
        {
            var i = grupo.Key;
            var nombre = Nombre(i);
            var tipo = i switch
            {
                _ when grupo.First().Value.EsHistograma => "histogram",
                _ when i.IsObservable || i.GetType().Name.StartsWith("UpDownCounter", StringComparison.Ordinal) => "gauge",
                _ => "counter",
            };
            if (tipo == "counter") nombre += "_total";
            if (!string.IsNullOrEmpty(i.Description)) sb.Append("# HELP ").Append(nombre).Append(' ').Append(i.Description).Append('\n');
            sb.Append("# TYPE ").Append(nombre).Append(' ').Append(tipo).Append('\n');
            foreach (var (clave, serie) in grupo.Select(g => (g.Key.Item2, g.Value)).OrderBy(x => x.Item1, StringComparer.Ordinal))
                serie.Escribir(sb, nombre, clave);
        }
        return sb.ToString();
    }

    private static string Nombre(Instrument i)
    {
        var n = new string(i.Name.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray());
        return i.Unit is "ms" or "s" ? $"{n}_{i.Unit}" : n;
    }

    private static string Etiquetas(ReadOnlySpan<KeyValuePair<string, object?>> etiquetas)
    {
        if (etiquetas.Length == 0) return "";
        var partes = new List<string>(etiquetas.Length);
        foreach (var (k, v) in etiquetas)
        {
            var valor = Convert.ToString(v, CultureInfo.InvariantCulture) ?? "";
            partes.Add($"{k}=\"{valor.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n")}\"");
        }
        partes.Sort(StringComparer.Ordinal);
        return string.Join(',', partes);
    }

    public void Dispose() => _listener.Dispose();

    private sealed class Serie(bool esHistograma)
    {
        private readonly long[] _cubetas = new long[Limites.Length];
        private double _suma;
        private long _cuenta;
        private double _valor;

        public bool EsHistograma { get; } = esHistograma;

        public void Fijar(double v)
        {
            lock (this) _valor = v;
        }

        public void Sumar(double v)
        {
            lock (this)
            {
                _valor += v;
                if (!EsHistograma) return;
                _suma += v;
                _cuenta++;
                for (var b = 0; b < Limites.Length; b++) if (v <= Limites[b]) _cubetas[b]++;
            }
        }

        public void Escribir(StringBuilder sb, string nombre, string etiquetas)
        {
            lock (this)
            {
                if (!EsHistograma)
                {
                    sb.Append(nombre).Append(Llaves(etiquetas)).Append(' ').Append(Num(_valor)).Append('\n');
                    return;
                }
                for (var b = 0; b < Limites.Length; b++)
                    sb.Append(nombre).Append("_bucket").Append(Llaves(Unir(etiquetas, $"le=\"{Num(Limites[b])}\""))).Append(' ').Append(_cubetas[b]).Append('\n');
                sb.Append(nombre).Append("_bucket").Append(Llaves(Unir(etiquetas, "le=\"+Inf\""))).Append(' ').Append(_cuenta).Append('\n');
                sb.Append(nombre).Append("_sum").Append(Llaves(etiquetas)).Append(' ').Append(Num(_suma)).Append('\n');
                sb.Append(nombre).Append("_count").Append(Llaves(etiquetas)).Append(' ').Append(_cuenta).Append('\n');
            }
        }

        private static string Unir(string a, string b) => a.Length == 0 ? b : a + "," + b;
        private static string Llaves(string e) => e.Length == 0 ? "" : "{" + e + "}";
        private static string Num(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);
    }
}
