using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Telecable.Application.Altas;
using Telecable.Application.Comun;
using Telecable.Domain.Comun;

namespace Telecable.Orchestrations.AltaCliente;

public sealed record EntradaAlta(string AltaId, string Cid) : IConCid;
public sealed record PasoAlta(string AltaId, string Paso, string Cid) : IConCid;
public sealed record FalloAlta(string AltaId, string Paso, string Motivo, string Cid) : IConCid;
public sealed record FinAlta(string AltaId, bool Exito, string Cid) : IConCid;
public sealed record ResultadoAlta(string AltaId, bool Exito, string? PasoFallido, string? Motivo);

/// <summary>
/// The onboarding saga: quote (coverage and price), customer (created, or reused by RFC for staff or
/// that customer signed in, with address and consent), contract (pendiente_instalacion), installation
/// ticket with a technician who has capacity, welcome notification. Each compensation is registered
/// before its step runs; on a failed step the registered compensations run in reverse. A compensation
/// that fails is recorded and retried by its retry policy; if it still fails the saga ends failed with
/// the error in its record (never dropped silently). The request itself lives in the <c>altas</c> row
/// written before the start.
/// </summary>
public static class AltaClienteOrquestacion
{
    // Business errors (ErrorDominio: not covered, RFC invalid, no technician) are deterministic: no retry.
    private static readonly TaskOptions ReintentosPaso = TaskOptions.FromRetryPolicy(new RetryPolicy(
        maxNumberOfAttempts: 3, firstRetryInterval: TimeSpan.FromMilliseconds(200), backoffCoefficient: 2)
    { HandleFailure = f => !f.IsCausedBy<ErrorDominio>() });

    private static readonly TaskOptions ReintentosCompensacion = TaskOptions.FromRetryPolicy(new RetryPolicy(
        maxNumberOfAttempts: 5, firstRetryInterval: TimeSpan.FromMilliseconds(500), backoffCoefficient: 2));

    private static readonly TaskOptions ReintentosRegistro = TaskOptions.FromRetryPolicy(new RetryPolicy(
        maxNumberOfAttempts: 10, firstRetryInterval: TimeSpan.FromSeconds(1), backoffCoefficient: 2));

    [Function(nameof(AltaClienteOrquestacion))]
    public static async Task<ResultadoAlta> Ejecutar([OrchestrationTrigger] TaskOrchestrationContext ctx)
    {
        var e = ctx.GetInput<EntradaAlta>() ?? throw new InvalidOperationException("AltaCliente sin entrada.");
        var log = ctx.CreateReplaySafeLogger(nameof(AltaClienteOrquestacion));
        var compensaciones = new Stack<string>();
        var paso = "";
        try
        {
            foreach (var p in SagaAlta.Pasos)
            {
                paso = p;
                // registered before the step runs: a step that did its work and then failed is undone too
                if (SagaAlta.ConCompensacion.Contains(p)) compensaciones.Push(p);
                await ctx.CallActivityAsync<string>(nameof(ActividadesAlta.EjecutarPasoAlta), new PasoAlta(e.AltaId, p, e.Cid), ReintentosPaso);
            }
        }
        catch (TaskFailedException ex)
        {
            var motivo = ex.FailureDetails.ErrorMessage;
            log.LogWarning("Alta {Alta}: el paso {Paso} falló ({Motivo}); compensando {N} pasos; cid {Cid}", e.AltaId, paso, motivo, compensaciones.Count, e.Cid);
            await ctx.CallActivityAsync(nameof(ActividadesAlta.RegistrarFalloAlta), new FalloAlta(e.AltaId, paso, motivo, e.Cid), ReintentosRegistro);
            while (compensaciones.TryPop(out var c))
            {
                try
                {
                    await ctx.CallActivityAsync<string?>(nameof(ActividadesAlta.CompensarPasoAlta), new PasoAlta(e.AltaId, c, e.Cid), ReintentosCompensacion);
                }
                catch (TaskFailedException cex)
                {
                    // every attempt failed: each one is in altas_compensaciones_fallidas (shown by the status
                    // endpoint) and logged; the remaining compensations still run
                    log.LogError("Alta {Alta}: la compensación de {Paso} falló tras los reintentos: {Error}; cid {Cid}",
                        e.AltaId, c, cex.FailureDetails.ErrorMessage, e.Cid);
                }
            }
            await ctx.CallActivityAsync(nameof(ActividadesAlta.TerminarAlta), new FinAlta(e.AltaId, false, e.Cid), ReintentosRegistro);
            return new ResultadoAlta(e.AltaId, false, paso, motivo);
        }
        await ctx.CallActivityAsync(nameof(ActividadesAlta.TerminarAlta), new FinAlta(e.AltaId, true, e.Cid), ReintentosRegistro);
        return new ResultadoAlta(e.AltaId, true, null, null);
    }
}

/// <summary>The saga's activities. Tests make a step or a compensation fail through <see cref="IInyectorFallas"/>.</summary>
public sealed class ActividadesAlta(IPasosAlta altas, IInyectorFallas fallas, ILogger<ActividadesAlta> log)
{
    [Function(nameof(EjecutarPasoAlta))]
    public async Task<string> EjecutarPasoAlta([ActivityTrigger] PasoAlta p)
    {
        using var _ = Contexto.Entrar(log, p);
        await altas.IniciarPasoAsync(p.AltaId, p.Paso, CancellationToken.None);
        await fallas.AntesDelPasoAsync(Sagas.AltaCliente, p.AltaId, p.Paso, CancellationToken.None);
        return await altas.EjecutarPasoAsync(p.AltaId, p.Paso, p.Cid, CancellationToken.None);
    }

    [Function(nameof(CompensarPasoAlta))]
    public async Task<string?> CompensarPasoAlta([ActivityTrigger] PasoAlta p)
    {
        using var _ = Contexto.Entrar(log, p);
        try
        {
            await fallas.AntesDeCompensarAsync(Sagas.AltaCliente, p.AltaId, p.Paso, CancellationToken.None);
            var hecho = await altas.CompensarAsync(p.AltaId, p.Paso, p.Cid, CancellationToken.None);
            log.LogInformation("Alta {Alta}: compensación de {Paso}: {Detalle}", p.AltaId, p.Paso, hecho ?? "nada que deshacer");
            return hecho;
        }
        catch (Exception ex)
        {
            log.LogError(ex, "Alta {Alta}: falló la compensación de {Paso}; se reintentará", p.AltaId, p.Paso);
            await altas.RegistrarCompensacionFallidaAsync(p.AltaId, p.Paso, ex.Message, CancellationToken.None);
            throw;
        }
    }

    [Function(nameof(RegistrarFalloAlta))]
    public async Task RegistrarFalloAlta([ActivityTrigger] FalloAlta f)
    {
        using var _ = Contexto.Entrar(log, f);
        await altas.RegistrarFalloAsync(f.AltaId, f.Paso, f.Motivo, CancellationToken.None);
    }

    [Function(nameof(TerminarAlta))]
    public async Task TerminarAlta([ActivityTrigger] FinAlta f)
    {
        using var _ = Contexto.Entrar(log, f);
        await altas.TerminarAsync(f.AltaId, f.Exito, CancellationToken.None);
    }
}
