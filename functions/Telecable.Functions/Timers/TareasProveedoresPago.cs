using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Telecable.Application.Observabilidad;
using Telecable.Application.Pagos;
using Telecable.Domain.Comun;
using Telecable.Infrastructure.Pagos;
using Telecable.Orchestrations.ProcesarPago;

namespace Telecable.Functions.Timers;

/// <summary>
/// Timers of the payment providers (issue 19). CerrarReferenciasVencidas, every 5 minutes: OXXO references whose
/// expiry passed unpaid are closed (the provider's order.expired does the same when it arrives; either is
/// idempotent). IniciarReversosPago, on the payments' start cadence (PagosInicioCron): carries out the refunds and
/// chargebacks providers reported, once the payment's own ProcesarPago is no longer running.
/// </summary>
public sealed class TareasProveedoresPago(ServicioReferenciasEfectivo referencias, OpcionesReferenciasEfectivo opciones, ServicioReversos reversos,
    ServicioLiquidaciones liquidaciones, ServicioPagos pagos, TimeProvider reloj, ILogger<TareasProveedoresPago> log)
{
    /// <summary>PAYMENT_MODE=emulated, daily before ConciliarLiquidaciones (04:30): each emulated provider leaves its
    /// settlement file for the last complete Mexico business day (RelojMexico; at 04:00 UTC it is 22:00 of the Mexico day
    /// before, still open, so the file is for the day before that), the day the reconciliation compares.</summary>
    [Function(nameof(GenerarLiquidacionesEmuladas))]
    public async Task GenerarLiquidacionesEmuladas([TimerTrigger("0 0 4 * * *")] TimerInfo timer, CancellationToken ct)
    {
        Correlacion.Nueva();
        var dia = reloj.Hoy().AddDays(-1);
        var archivos = await liquidaciones.GenerarEmuladasAsync(dia, ct);
        log.LogInformation("Liquidaciones emuladas de {Dia}: {Archivos}", dia, string.Join(", ", archivos));
    }

    [Function(nameof(CerrarReferenciasVencidas))]
    public async Task CerrarReferenciasVencidas([TimerTrigger("0 */5 * * * *")] TimerInfo timer, CancellationToken ct)
    {
        if (!opciones.CerrarVencidas) return;
        Correlacion.Nueva();
        var n = await referencias.CerrarVencidasAsync(ct);
        if (n > 0) log.LogInformation("Referencias de efectivo vencidas cerradas: {Cantidad}", n);
    }

    [Function(nameof(IniciarReversosPago))]
    public async Task IniciarReversosPago([TimerTrigger("%PagosInicioCron%")] TimerInfo timer, [DurableClient] DurableTaskClient durable, CancellationToken ct)
    {
        Correlacion.Nueva();
        var r = await reversos.ProcesarPendientesAsync(async pagoId =>
        {
            // Its own saga, or the batch that holds it (ProcesarPagosLote).
            var instancia = await pagos.InstanciaLoteAsync(pagoId, ct) ?? ProcesarPago.InstanciaPara(pagoId);
            var m = await durable.GetInstanceAsync(instancia, false, ct);
            return m is { RuntimeStatus: OrchestrationRuntimeStatus.Running or OrchestrationRuntimeStatus.Pending or OrchestrationRuntimeStatus.Suspended };
        }, ct);
        if (r.Aplicados + r.Revision > 0)
            log.LogInformation("Reversos de pago: {Aplicados} aplicados, {Revision} a revisión manual, {Espera} en espera", r.Aplicados, r.Revision, r.EnEspera);
    }
}
