using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Telecable.Application.Observabilidad;
using Telecable.Domain.Routers;
using Telecable.Infrastructure.Routers;

namespace Telecable.Functions.Timers;

/// <summary>Router timers: outage detection every 5 s, history pruning hourly.</summary>
public sealed class TareasRouters(DetectorDesconexiones detector, IOptions<OpcionesRouters> opciones, ILogger<TareasRouters> log)
{
    // This process's start, as far as the detector is concerned (the timer's first run, within 5 s of it).
    private static readonly long Arranque = Environment.TickCount64;

    /// <summary>Every 5 s, so an outage is seen within 30-35 s; safe to overlap across hosts (see DetectorDesconexiones).</summary>
    [Function(nameof(DetectarRoutersDesconectados))]
    public async Task DetectarRoutersDesconectados([TimerTrigger("*/5 * * * * *")] TimerInfo timer, CancellationToken ct)
    {
        if (!opciones.Value.DetectarDesconexiones) return;
        // A fresh start (deploy, restart, the demo's first minute) would otherwise turn every router into an outage.
        if (!DeteccionDesconexiones.Escuchando(TimeSpan.FromMilliseconds(Environment.TickCount64 - Arranque), opciones.Value.LimiteSinReporte)) return;
        var cid = Correlacion.Nueva();
        var n = await detector.DetectarAsync(cid, ct);
        if (n > 0) log.LogWarning("Routers: {Cantidad} desconexiones nuevas", n);
    }

    /// <summary>Hourly: history beyond Routers:RetencionHistorialHoras is deleted.</summary>
    [Function(nameof(PurgarHistorialRouters))]
    public async Task PurgarHistorialRouters([TimerTrigger("0 41 * * * *")] TimerInfo timer, CancellationToken ct)
    {
        Correlacion.Nueva();
        var n = await detector.PurgarHistorialAsync(ct);
        log.LogInformation("Routers: {Cantidad} filas de historial purgadas", n);
    }
}
