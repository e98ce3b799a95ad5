using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Telecable.Application.Ciclos;
using Telecable.Application.Observabilidad;
using Telecable.Infrastructure.Cobranza;

namespace Telecable.Functions.Timers;

/// <summary>Every 10 minutes: earmarked credit balance applied to its invoices (CFDI de egreso), then reminders and suspensions
/// of unpaid invoices, so a customer whose credit covers an invoice is never reminded of it. Safe to overlap and on several
/// hosts: each credit note has one key per invoice and kind, and each stage of an invoice is recorded once, with its messages
/// and effects, in one transaction.</summary>
public sealed class TareasCobranza(ServicioCobranza cobranza, ServicioAplicacionSaldo saldos, IOptions<OpcionesCobranza> opciones,
    ILogger<TareasCobranza> log)
{
    [Function(nameof(EvaluarCobranza))]
    public async Task EvaluarCobranza([TimerTrigger("0 */10 * * * *")] TimerInfo timer, CancellationToken ct)
    {
        if (!opciones.Value.Evaluar) return;
        var cid = Correlacion.Nueva();
        var s = await saldos.AplicarAsync(cid, ct);
        if (s.Aplicadas + s.Liberadas + s.EnEspera > 0)
            log.LogInformation("Saldo a favor: {Aplicadas} aplicaciones con CFDI de egreso, {Liberadas} liberadas, {EnEspera} en espera del PAC",
                s.Aplicadas, s.Liberadas, s.EnEspera);
        var r = await cobranza.EvaluarAsync(cid, ct);
        if (r.Recordatorios + r.Suspensiones > 0)
            log.LogInformation("Cobranza: {Recordatorios} recordatorios, {Suspensiones} suspensiones", r.Recordatorios, r.Suspensiones);
    }
}
