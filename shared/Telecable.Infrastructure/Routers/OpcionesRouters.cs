namespace Telecable.Infrastructure.Routers;

/// <summary>Settings of section "Routers" (e.g. Routers__IntervaloSegundos in local.settings.json).</summary>
public sealed class OpcionesRouters
{
    public const string Seccion = "Routers";

    /// <summary>
    /// Emulated fleet only: the router emulator's key store, where an installation writes its device key
    /// (<see cref="AprovisionamientoEmulado"/>). Empty in Azure: real routers get their key on site.
    /// </summary>
    public string? ArchivoClavesEmulador { get; set; }

    /// <summary>How often routers report; told to them in every answer.</summary>
    public int IntervaloSegundos { get; set; } = 10;

    /// <summary>
    /// The period told to a router that reports itself suspended. A suspended customer is waiting for the reactivation that
    /// follows a payment, and the router hears 'reactivar' only in the answer to a report: at the 10 s period that alone is
    /// up to 10 s. Suspended routers are few, so polling them every 2 s costs little ingestion and brings payment to
    /// reactivated within seconds (bench/Reactivacion.sh).
    /// </summary>
    public int IntervaloSuspendidoSegundos { get; set; } = 2;

    /// <summary>A router is offline after this many intervals without a report (3 × 10 s = 30 s).</summary>
    public int IntervalosSinReporte { get; set; } = 3;

    /// <summary>
    /// Whether the detector timer opens outages (tickets, notifications). On in local.settings and in
    /// Azure; off by default so a host built for another area's tests does not open tickets for the
    /// stale demo routers.
    /// </summary>
    public bool DetectarDesconexiones { get; set; }

    /// <summary>History older than this is pruned by the hourly timer.</summary>
    public int RetencionHistorialHoras { get; set; } = 24;

    /// <summary>How long a device key hash stays cached in memory.</summary>
    public int CacheClavesSegundos { get; set; } = 60;

    /// <summary>Uncorrectable errors per interval above which a router counts as degraded.</summary>
    public long ErroresMaximos { get; set; } = 100;

    public TimeSpan LimiteSinReporte => TimeSpan.FromSeconds(IntervaloSegundos * IntervalosSinReporte);
}
