using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Telecable.Application.Observabilidad;
using Telecable.Functions.Sagas;
using Telecable.Domain.Comun;
using Telecable.Domain.Facturacion;
using Telecable.Functions.Http.Facturacion;
using Telecable.Infrastructure.Facturacion;

namespace Telecable.Functions.Timers;

/// <summary>Billing timers: the monthly run, and the reconciliation of runs whose orchestration is gone.</summary>
public sealed class TareasFacturacion(ServicioCorridas corridas, OpcionesFacturacion opciones, TimeProvider reloj, ILogger<TareasFacturacion> log)
{
    /// <summary>
    /// Every day at 06:00 Mexico City time (12:00 UTC; no DST since 2022): bills the contracts whose cut-off day is today
    /// (and any earlier cut-off of the month a missed day left unbilled) and the first, prorated cycle of contracts
    /// activated since their cut-off (issue 18). A manual run of a period is still POST /api/facturacion/corridas.
    /// A live run of the month (manual or yesterday's still stamping) makes today's wait: the next day catches up.
    /// </summary>
    [Function(nameof(CorridaDiaria))]
    public async Task CorridaDiaria([TimerTrigger("0 0 12 * * *")] TimerInfo timer, [DurableClient] DurableTaskClient durable, CancellationToken ct)
    {
        if (!opciones.CorridaDiaria) return;
        var cid = Correlacion.Nueva();
        var hoy = reloj.Hoy();
        var periodo = new DateOnly(hoy.Year, hoy.Month, 1);
        try
        {
            var c = await IniciadorCorridas.IniciarAsync(corridas, durable, periodo, "timer", cid, ct, hoy);
            log.LogInformation("Corrida diaria {Corrida} del corte {Fecha} iniciada", c.Id, hoy);
        }
        catch (ErrorConflicto e)
        {
            log.LogWarning("Corrida diaria del corte {Fecha} no iniciada: {Motivo}", hoy, e.Message);
        }
    }

    /// <summary>
    /// Every minute: a live run whose durable instance no longer exists (purged, lost with its storage), was
    /// terminated, or failed without reaching its own failure path is ended fallida with that cause, so no run stays
    /// en_proceso and the period can be retried. Safe on several hosts: ending a run is conditional on its state and
    /// instance, so only one host records it.
    /// </summary>
    [Function(nameof(ReconciliarCorridas))]
    public async Task ReconciliarCorridas([TimerTrigger("0 * * * * *")] TimerInfo timer, [DurableClient] DurableTaskClient durable, CancellationToken ct)
    {
        var cid = Correlacion.Nueva();
        foreach (var c in await corridas.VivasSinCambiosAsync(TimeSpan.FromSeconds(opciones.GraciaSinOrquestacionSegundos), ct))
        {
            var instancia = await durable.GetInstanceAsync(c.InstanceId, getInputsAndOutputs: false, ct);
            var causa = instancia?.RuntimeStatus switch
            {
                null => FallaCorrida.Perdida,
                OrchestrationRuntimeStatus.Terminated => FallaCorrida.Terminada,
                OrchestrationRuntimeStatus.Failed => FallaCorrida.Clasificar(instancia.FailureDetails?.ErrorType, instancia.FailureDetails?.ErrorMessage, nameof(Orchestrations.TimbradoMasivo.TimbradoMasivo)),
                OrchestrationRuntimeStatus.Completed => FallaCorrida.Terminada,
                _ => null,
            };
            if (causa is not null && await corridas.MarcarFallidaAsync(c.Id, causa, c.InstanceId, cid, ct))
                log.LogError("Corrida {Corrida} sin orquestación viva ({Instancia}: {Estado}): fallida con causa {Causa}",
                    c.Id, c.InstanceId, instancia?.RuntimeStatus.ToString() ?? "inexistente", causa.Codigo);
        }
    }
}
