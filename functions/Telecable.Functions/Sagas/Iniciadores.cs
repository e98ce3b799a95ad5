using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Telecable.Domain.Facturacion;
using Telecable.Infrastructure.Facturacion;
using Telecable.Orchestrations.ProcesarPago;
using Telecable.Orchestrations.TimbradoMasivo;

namespace Telecable.Functions.Sagas;

/// <summary>The one way to start an orchestration: once per instance id, whoever asks first (HTTP, webhook, timer).</summary>
public static class InicioUnico
{
    /// <summary>Every status: an instance id, once used, is never started again (the backend refuses it atomically).</summary>
    private static readonly OrchestrationRuntimeStatus[] CualquierEstado = Enum.GetValues<OrchestrationRuntimeStatus>();

    /// <summary>
    /// Starts <paramref name="orquestacion"/> under <paramref name="instancia"/> unless that instance already exists;
    /// true when this call started it. Each intent has its own instance id (a payment, a run, a retry of a run), so an
    /// existing instance always means the same intent already started. The read first only saves a round trip: two
    /// callers can both find nothing, so the backend's dedupe statuses decide (without them a second schedule restarted
    /// the running instance).
    /// </summary>
    public static async Task<bool> IniciarUnaVezAsync(this DurableTaskClient durable, string orquestacion, object entrada, string instancia,
        CancellationToken ct)
    {
        if (await durable.GetInstanceAsync(instancia, false, ct) is not null) return false;
        try
        {
            await durable.ScheduleNewOrchestrationInstanceAsync(orquestacion, entrada,
                new StartOrchestrationOptions(instancia).WithDedupeStatuses(CualquierEstado), ct);
            return true;
        }
        catch (Exception)
        {
            // A concurrent caller started it first: that is the no-op we want; anything else is a fault.
            if (await durable.GetInstanceAsync(instancia, false, CancellationToken.None) is null) throw;
            return false;
        }
    }
}

/// <summary>Starts ProcesarPago once per payment (instance id from the payment id).</summary>
public static class IniciadorPagos
{
    /// <summary>Starts it (if not yet) and waits up to 30 s for it to end: the caller then reads the outcome; a saga
    /// still running by then goes on, and the same call repeated later finds its result.</summary>
    public static async Task IniciarYEsperarAsync(DurableTaskClient durable, Guid pagoId, string cid, CancellationToken ct)
    {
        await IniciarAsync(durable, pagoId, cid, ct);
        using var limite = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limite.CancelAfter(TimeSpan.FromSeconds(30));
        try
        {
            await durable.WaitForInstanceCompletionAsync(ProcesarPago.InstanciaPara(pagoId), false, limite.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
        }
    }

    public static Task IniciarAsync(DurableTaskClient durable, Guid pagoId, string cid, CancellationToken ct) =>
        durable.IniciarUnaVezAsync(nameof(ProcesarPago), new EntradaProcesarPago(pagoId, cid), ProcesarPago.InstanciaPara(pagoId), ct);
}

/// <summary>Registers a run and schedules its orchestration under the run's instance id.</summary>
public static class IniciadorCorridas
{
    public static async Task<Corrida> IniciarAsync(ServicioCorridas corridas, DurableTaskClient durable, DateOnly periodo, string actor, string cid,
        CancellationToken ct, DateOnly? fechaCorte = null)
    {
        var c = await corridas.CrearAsync(periodo, actor, ct, fechaCorte);
        try
        {
            await IniciarAsync(durable, c, cid, ct);
        }
        catch
        {
            await corridas.MarcarFallidaAsync(c.Id, FallaCorrida.NoIniciada, c.InstanceId, cid, CancellationToken.None);
            throw;
        }
        return c;
    }

    /// <summary>The run's orchestration (a new run, or a retry with its new instance id).</summary>
    public static Task IniciarAsync(DurableTaskClient durable, Corrida c, string cid, CancellationToken ct) =>
        durable.IniciarUnaVezAsync(nameof(TimbradoMasivo), new EntradaTimbradoMasivo(c.Id, cid), c.InstanceId, ct);
}
