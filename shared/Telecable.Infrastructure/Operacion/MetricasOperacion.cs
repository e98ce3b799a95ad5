using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Telecable.Application.Observabilidad;

namespace Telecable.Infrastructure.Operacion;

/// <summary>
/// Gauges of the state of operations and of the dependencies, for the alert rules (infra/prometheus) and the
/// Azure alerts (infra/bicep/modules/alertas.bicep). Their values are the last <see cref="EstadoOperacion"/>
/// read: at scrape time by GET /api/metrics, and every minute by the MuestrearOperacion timer, so the
/// OpenTelemetry exporter to Application Insights (Azure, no scrape there) also sends fresh values.
/// </summary>
public static class MetricasOperacion
{
    private static volatile EstadoOperacion? _estado;
    private static readonly ConcurrentDictionary<string, int> Dependencias = new(StringComparer.Ordinal);

    private static readonly ObservableGauge<double>[] Medidores =
    [
        Medidor("telecable.corridas.fallidas", null, "Corridas de facturación en estado fallida (cambiadas en las últimas 24 h)", e => e.CorridasFallidas),
        Medidor("telecable.corridas.en_curso", null, "Corridas de facturación pendientes o en proceso", e => e.CorridasEnCurso),
        Medidor("telecable.corridas.sin_avance", "s", "Segundos sin avance de la corrida en curso más detenida (0: ninguna en curso)", e => e.CorridaSinAvanceS),
        Medidor("telecable.cfdi.timbradas_15m", null, "CFDI timbrados en los últimos 15 minutos", e => e.CfdiTimbradas15m),
        Medidor("telecable.cfdi.fallidas_15m", null, "CFDI que quedaron en error en los últimos 15 minutos", e => e.CfdiFallidas15m),
        Medidor("telecable.outbox.pendientes", null, "Eventos del outbox sin publicar", e => e.OutboxPendientes),
        Medidor("telecable.outbox.retraso", "s", "Edad del evento más viejo sin publicar en el outbox", e => e.OutboxRetrasoS),
        Medidor("telecable.webhooks.recibidos_15m", null, "Webhooks de pasarelas recibidos en los últimos 15 minutos", e => e.WebhooksRecibidos15m),
        Medidor("telecable.webhooks.rechazados_15m", null, "Webhooks de pasarelas rechazados en los últimos 15 minutos", e => e.WebhooksRechazados15m),
        Medidor("telecable.pagos.sin_aplicar", null, "Pagos confirmados por la pasarela aún no aplicados", e => e.PagosSinAplicar),
        Medidor("telecable.pagos.sin_aplicar_antiguedad", "s", "Edad del pago confirmado más viejo sin aplicar", e => e.PagosSinAplicarAntiguedadS),
        Medidor("telecable.notificaciones.pendientes", null, "Notificaciones pendientes de envío", e => e.NotificacionesPendientes),
        Medidor("telecable.notificaciones.pendientes_antiguedad", "s", "Edad de la notificación pendiente más vieja", e => e.NotificacionesAntiguedadS),
    ];

    private static readonly ObservableGauge<int> RoutersTotal = Telemetria.Medidor.CreateObservableGauge("telecable.routers.zona_total",
        () => PorZona(z => z.Total), description: "Routers instalados por zona");
    private static readonly ObservableGauge<int> RoutersFuera = Telemetria.Medidor.CreateObservableGauge("telecable.routers.zona_fuera_de_linea",
        () => PorZona(z => z.FueraDeLinea), description: "Routers fuera de línea (sin reporte reciente o reiniciando) por zona");
    private static readonly ObservableGauge<int> Disponible = Telemetria.Medidor.CreateObservableGauge("telecable.dependencia.disponible",
        () => Dependencias.Select(d => new Measurement<int>(d.Value, new KeyValuePair<string, object?>("dependencia", d.Key))),
        description: "1 si la dependencia respondió en la última lectura de métricas, 0 si no");

    /// <summary>The last state read; null until the first read.</summary>
    public static EstadoOperacion? Estado => _estado;

    public static void Fijar(EstadoOperacion estado)
    {
        _ = (Medidores, RoutersTotal, RoutersFuera, Disponible);
        _estado = estado;
    }

    /// <summary>Runs a read of one dependency within <paramref name="limite"/> and records whether it answered.
    /// Never throws: a dependency that is down must not take the other figures of the scrape with it.</summary>
    public static async Task<bool> SondearAsync(string dependencia, Func<CancellationToken, Task> lectura, TimeSpan limite, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(limite);
        bool ok;
        try
        {
            await lectura(cts.Token);
            ok = true;
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            ok = false;
        }
        Dependencias[dependencia] = ok ? 1 : 0;
        return ok;
    }

    private static ObservableGauge<double> Medidor(string nombre, string? unidad, string descripcion, Func<EstadoOperacion, double> valor) =>
        Telemetria.Medidor.CreateObservableGauge(nombre, () => _estado is { } e ? [new Measurement<double>(valor(e))] : Array.Empty<Measurement<double>>(),
            unit: unidad, description: descripcion);

    private static IEnumerable<Measurement<int>> PorZona(Func<RoutersZona, int> valor) =>
        (_estado?.Routers ?? []).Select(z => new Measurement<int>(valor(z), new KeyValuePair<string, object?>("zona", z.Zona)));
}
