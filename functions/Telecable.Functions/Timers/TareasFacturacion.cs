using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Telecable.Domain.Comun;
using Telecable.Domain.Facturacion;
using Telecable.Functions.Http.Facturacion;
using Telecable.Infrastructure.Facturacion;
using Telecable.Infrastructure.Observabilidad;

namespace Telecable.Functions.Timers;

/// <summary>Billing timers: the monthly run, and the reconciliation of runs whose orchestration is gone.</summary>
public sealed class TareasFacturacion(ServicioCorridas corridas, OpcionesFacturacion opciones, TimeProvider reloj, ILogger<TareasFacturacion> log)
{
    /// <summary>Day 1 at 06:00 Mexico City time (12:00 UTC; no DST since 2022), for the month that starts.</summary>
    [Function(nameof(CorridaMensual))]
    public async Task CorridaMensual([TimerTrigger("0 0 12 1 * *")] TimerInfo timer, [DurableClient] DurableTaskClient durable, CancellationToken ct)
    {
        var cid = Correlacion.Normalizar(null);
        Correlacion.Establecer(cid);
        var hoy = Domain.Cfdi.FormatoCfdi.HoraMexico(reloj.GetUtcNow());
        var periodo = new DateOnly(hoy.Year, hoy.Month, 1);
        try
        {
            var c = await IniciadorCorridas.IniciarAsync(corridas, durable, periodo, "timer", cid, ct);
            log.LogInformation("Corrida mensual {Corrida} de {Periodo} iniciada", c.Id, Periodo.Texto(periodo));
        }
        catch (ErrorConflicto e)
        {
            log.LogWarning("Corrida mensual de {Periodo} no iniciada: {Motivo}", Periodo.Texto(periodo), e.Message);
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
        var cid = Correlacion.Normalizar(null);
        Correlacion.Establecer(cid);
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
