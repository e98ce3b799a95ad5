using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Telecable.Application.Comun;
using Telecable.Application.Pagos;

namespace Telecable.Orchestrations.ProcesarPago;

public sealed record EntradaProcesarPago(Guid PagoId, string Cid) : IConCid;
public sealed record ResultadoProcesarPago(Guid PagoId, string Estado, Guid? ComplementoUuid, int ContratosReactivados, string? Falla);

/// <summary>
/// The payment saga, started by a confirmed payment (webhook or POST /api/pagos): apply it to invoices,
/// issue the payment complement for PPD invoices, notify the customer, reactivate suspended service.
/// Each compensation is registered before its step runs; on a failure they run in reverse, and a
/// compensation that fails is logged (and the orchestration fails) rather than swallowed.
/// </summary>
public static class ProcesarPago
{
    /// <summary>One instance per payment: starting it twice is a no-op.</summary>
    public static string InstanciaPara(Guid pagoId) => $"pago-{pagoId:N}";

    private static readonly TaskOptions Reintentos = TaskOptions.FromRetryPolicy(new RetryPolicy(
        maxNumberOfAttempts: 3, firstRetryInterval: TimeSpan.FromMilliseconds(500), backoffCoefficient: 2));

    [Function(nameof(ProcesarPago))]
    public static async Task<ResultadoProcesarPago> Ejecutar([OrchestrationTrigger] TaskOrchestrationContext ctx)
    {
        var e = ctx.GetInput<EntradaProcesarPago>() ?? throw new InvalidOperationException("ProcesarPago sin entrada.");
        var log = ctx.CreateReplaySafeLogger(nameof(ProcesarPago));
        var compensaciones = new Stack<string>();
        Guid? complemento = null;
        var reactivados = 0;
        try
        {
            compensaciones.Push(nameof(ActividadesPago.RevertirAplicacionPago));
            var aplicacion = await ctx.CallActivityAsync<ResultadoAplicacion>(nameof(ActividadesPago.AplicarPago), e, Reintentos);
            if (aplicacion.HayPpd)
            {
                compensaciones.Push(nameof(ActividadesPago.CancelarComplementoPago));
                complemento = await ctx.CallActivityAsync<Guid?>(nameof(ActividadesPago.EmitirComplementoPago), e, Reintentos);
            }
            compensaciones.Push(nameof(ActividadesPago.ResuspenderServicio));
            reactivados = await ctx.CallActivityAsync<int>(nameof(ActividadesPago.ReactivarServicio), e, Reintentos);
        }
        catch (TaskFailedException falla)
        {
            log.LogError("ProcesarPago {PagoId} falló en {Actividad}: {Mensaje}; compensando {Pasos} pasos; cid {Cid}",
                e.PagoId, falla.TaskName, falla.FailureDetails.ErrorMessage, compensaciones.Count, e.Cid);
            var fallidas = new List<string>();
            while (compensaciones.TryPop(out var compensacion))
            {
                try
                {
                    await ctx.CallActivityAsync(compensacion, e, Reintentos);
                }
                catch (TaskFailedException fc)
                {
                    log.LogError("Compensación {Compensacion} del pago {PagoId} falló: {Mensaje}; cid {Cid}",
                        compensacion, e.PagoId, fc.FailureDetails.ErrorMessage, e.Cid);
                    fallidas.Add(compensacion);
                }
            }
            if (fallidas.Count > 0)
                throw new InvalidOperationException($"Pago {e.PagoId}: fallaron las compensaciones {string.Join(", ", fallidas)}; requiere revisión manual.");
            return new ResultadoProcesarPago(e.PagoId, "compensado", null, 0, $"{falla.TaskName}: {falla.FailureDetails.ErrorMessage}");
        }
        // The customer is told only of a payment that stands: the receipt is queued after every step a failure would
        // undo (a message already delivered cannot be recalled), and failing to queue it does not undo the payment.
        try
        {
            await ctx.CallActivityAsync(nameof(ActividadesPago.NotificarPago), e, Reintentos);
        }
        catch (TaskFailedException falla)
        {
            log.LogError("ProcesarPago {PagoId}: el aviso al cliente no se pudo encolar: {Mensaje}; cid {Cid}", e.PagoId, falla.FailureDetails.ErrorMessage, e.Cid);
        }
        return new ResultadoProcesarPago(e.PagoId, "completado", complemento, reactivados, null);
    }
}

/// <summary>The saga's activities. Tests make a step fail through <see cref="IInyectorFallas"/>.</summary>
public sealed class ActividadesPago(IPasosPago pasos, IEmisorComplementoPago complementos, IInyectorFallas fallas, ILogger<ActividadesPago> log)
{
    [Function(nameof(AplicarPago))]
    public async Task<ResultadoAplicacion> AplicarPago([ActivityTrigger] EntradaProcesarPago e)
    {
        using var _ = Contexto.Entrar(log, e);
        await AntesDeAsync(e, nameof(AplicarPago));
        return await pasos.AplicarAsync(e.PagoId, e.Cid, CancellationToken.None);
    }

    [Function(nameof(RevertirAplicacionPago))]
    public async Task RevertirAplicacionPago([ActivityTrigger] EntradaProcesarPago e)
    {
        using var _ = Contexto.Entrar(log, e);
        await pasos.RevertirAplicacionAsync(e.PagoId, e.Cid, CancellationToken.None);
        log.LogWarning("Aplicación del pago {PagoId} revertida", e.PagoId);
    }

    [Function(nameof(EmitirComplementoPago))]
    public async Task<Guid?> EmitirComplementoPago([ActivityTrigger] EntradaProcesarPago e)
    {
        using var _ = Contexto.Entrar(log, e);
        await AntesDeAsync(e, nameof(EmitirComplementoPago));
        return await complementos.EmitirAsync(e.PagoId, CancellationToken.None);
    }

    [Function(nameof(CancelarComplementoPago))]
    public async Task CancelarComplementoPago([ActivityTrigger] EntradaProcesarPago e)
    {
        using var _ = Contexto.Entrar(log, e);
        await complementos.CancelarAsync(e.PagoId, CancellationToken.None);
    }

    [Function(nameof(NotificarPago))]
    public async Task NotificarPago([ActivityTrigger] EntradaProcesarPago e)
    {
        using var _ = Contexto.Entrar(log, e);
        await AntesDeAsync(e, nameof(NotificarPago));
        await pasos.NotificarAsync(e.PagoId, e.Cid, CancellationToken.None);
    }

    [Function(nameof(ReactivarServicio))]
    public async Task<int> ReactivarServicio([ActivityTrigger] EntradaProcesarPago e)
    {
        using var _ = Contexto.Entrar(log, e);
        await AntesDeAsync(e, nameof(ReactivarServicio));
        return await pasos.ReactivarAsync(e.PagoId, e.Cid, CancellationToken.None);
    }

    [Function(nameof(ResuspenderServicio))]
    public async Task ResuspenderServicio([ActivityTrigger] EntradaProcesarPago e)
    {
        using var _ = Contexto.Entrar(log, e);
        await pasos.ResuspenderAsync(e.PagoId, e.Cid, CancellationToken.None);
    }

    private Task AntesDeAsync(EntradaProcesarPago e, string paso) =>
        fallas.AntesDelPasoAsync(Sagas.ProcesarPago, e.PagoId.ToString(), paso, CancellationToken.None);
}
