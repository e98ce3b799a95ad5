using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Telecable.Application.Observabilidad;
using Telecable.Infrastructure.Idempotencia;
using Telecable.Infrastructure.Outbox;

namespace Telecable.Functions.Timers;

/// <summary>Platform timers: relay the outbox, purge expired idempotency keys.</summary>
public sealed class TareasPlataforma(RelayOutbox relay, AlmacenIdempotencia idempotencia, ILogger<TareasPlataforma> log)
{
    /// <summary>Every few seconds (OutboxRelayCron); SKIP LOCKED makes overlapping runs on several hosts safe.</summary>
    [Function(nameof(RelayarOutbox))]
    public async Task RelayarOutbox([TimerTrigger("%OutboxRelayCron%")] TimerInfo timer, CancellationToken ct)
    {
        Correlacion.Nueva();
        var n = await relay.PublicarPendientesAsync(ct: ct);
        if (n > 0) log.LogInformation("Outbox: {Cantidad} eventos publicados", n);
    }

    /// <summary>Hourly: keys are kept 24 h (the retention clients are promised), then removed.</summary>
    [Function(nameof(PurgarIdempotencia))]
    public async Task PurgarIdempotencia([TimerTrigger("0 17 * * * *")] TimerInfo timer, CancellationToken ct)
    {
        Correlacion.Nueva();
        var n = await idempotencia.PurgarVencidasAsync(ct);
        log.LogInformation("Idempotencia: {Cantidad} claves vencidas eliminadas", n);
    }
}
