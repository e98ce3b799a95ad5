using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Telecable.Application.Observabilidad;
using Telecable.Infrastructure.AltasYTickets;

namespace Telecable.Functions.Timers;

/// <summary>Delivers pending notifications every 5 s; safe on several hosts (each batch is claimed with SKIP LOCKED).</summary>
public sealed class TareasNotificaciones(DespachadorNotificaciones despachador, ILogger<TareasNotificaciones> log)
{
    [Function(nameof(DespacharNotificaciones))]
    public async Task DespacharNotificaciones([TimerTrigger("*/5 * * * * *")] TimerInfo timer, CancellationToken ct)
    {
        Correlacion.Nueva();
        var r = await despachador.DespacharAsync(ct);
        if (r.Entregadas + r.Reintentos + r.Fallidas > 0)
            log.LogInformation("Notificaciones: {Entregadas} entregadas, {Reintentos} por reintentar, {Fallidas} sin entregar",
                r.Entregadas, r.Reintentos, r.Fallidas);
    }
}
