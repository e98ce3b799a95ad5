namespace Telecable.Infrastructure.Operacion;

/// <summary>Routers of one zone and how many of them are offline (no report within the limit, or rebooting).</summary>
public sealed record RoutersZona(string Zona, int Total, int FueraDeLinea);

/// <summary>
/// The figures an on-call engineer watches, read from PostgreSQL at one instant: fleet-wide (every host
/// reads the same rows) and surviving restarts, unlike the per-process counters of /api/metrics.
/// Windows ("15 min") are counted back from <see cref="TomadaEn"/>; ages are in seconds, 0 when nothing waits.
/// </summary>
public sealed record EstadoOperacion(
    DateTimeOffset TomadaEn,
    int CorridasFallidas,
    int CorridasEnCurso,
    double CorridaSinAvanceS,
    int CfdiTimbradas15m,
    int CfdiFallidas15m,
    int OutboxPendientes,
    double OutboxRetrasoS,
    int WebhooksRecibidos15m,
    int WebhooksRechazados15m,
    int PagosSinAplicar,
    double PagosSinAplicarAntiguedadS,
    int NotificacionesPendientes,
    double NotificacionesAntiguedadS,
    IReadOnlyList<RoutersZona> Routers);

/// <summary>An alert Prometheus reports as pending or firing.</summary>
public sealed record AlertaActiva(string Nombre, string Estado, string? Severidad, string? Resumen, DateTimeOffset? Desde);

/// <summary>
/// What the operations page shows: the samples of the last hours (the last one taken now), and the
/// alerts of Prometheus when one is configured (<see cref="Alertas"/> null: none configured;
/// <see cref="ErrorAlertas"/>: configured but not answering).
/// </summary>
public sealed record ResumenOperacion(int Horas, IReadOnlyList<EstadoOperacion> Muestras, IReadOnlyList<AlertaActiva>? Alertas, string? ErrorAlertas);

/// <summary>Settings of the operations page (section Operaciones).</summary>
public sealed class OpcionesOperacion
{
    public const string Seccion = "Operaciones";

    /// <summary>Base URL of a Prometheus whose alerts the page lists (e.g. http://127.0.0.1:9090); empty: none.</summary>
    public string? PrometheusUrl { get; set; }

    /// <summary>How long samples are kept.</summary>
    public int DiasMuestras { get; set; } = 7;
}
