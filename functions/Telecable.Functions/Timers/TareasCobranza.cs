using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Telecable.Infrastructure.Cobranza;
using Telecable.Infrastructure.Observabilidad;

namespace Telecable.Functions.Timers;

/// <summary>Every 10 minutes: reminders and suspensions of unpaid invoices. Safe to overlap and on several hosts: each
/// stage of an invoice is recorded once, with its messages and effects, in one transaction.</summary>
public sealed class TareasCobranza(ServicioCobranza cobranza, IOptions<OpcionesCobranza> opciones, ILogger<TareasCobranza> log)
{
    [Function(nameof(EvaluarCobranza))]
    public async Task EvaluarCobranza([TimerTrigger("0 */10 * * * *")] TimerInfo timer, CancellationToken ct)
    {
        if (!opciones.Value.Evaluar) return;
        var cid = Correlacion.Normalizar(null);
        Correlacion.Establecer(cid);
        var r = await cobranza.EvaluarAsync(cid, ct);
        if (r.Recordatorios + r.Suspensiones > 0)
            log.LogInformation("Cobranza: {Recordatorios} recordatorios, {Suspensiones} suspensiones", r.Recordatorios, r.Suspensiones);
    }
}
