using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Telecable.Application.Plataforma;

namespace Telecable.Orchestrations.Plataforma;

public sealed record EntradaSonda(int Pasos, int EsperaMs, string Cid) : IConCid;
public sealed record PasoSonda(string Instancia, int Paso, int EsperaMs, string Cid) : IConCid;
public sealed record ResultadoSonda(string Instancia, int Pasos);

/// <summary>
/// The durable probe: an operator (or a test) starts it to prove that the durable backend runs an
/// orchestration end to end and resumes after a crash. Each step writes to a ledger, so a step re-run
/// after a crash is visible as a second execution, never as a second row.
/// </summary>
public static class SondaDurable
{
    private static readonly TaskOptions Reintentos = TaskOptions.FromRetryPolicy(new RetryPolicy(
        maxNumberOfAttempts: 5, firstRetryInterval: TimeSpan.FromSeconds(1), backoffCoefficient: 2));

    [Function(nameof(SondaDurable))]
    public static async Task<ResultadoSonda> Ejecutar([OrchestrationTrigger] TaskOrchestrationContext ctx)
    {
        var entrada = ctx.GetInput<EntradaSonda>() ?? throw new InvalidOperationException("SondaDurable sin entrada.");
        var log = ctx.CreateReplaySafeLogger(nameof(SondaDurable));
        for (var paso = 0; paso < entrada.Pasos; paso++)
            await ctx.CallActivityAsync(nameof(ActividadesSonda.RegistrarPasoSonda), new PasoSonda(ctx.InstanceId, paso, entrada.EsperaMs, entrada.Cid), Reintentos);
        var resultado = new ResultadoSonda(ctx.InstanceId, entrada.Pasos);
        await ctx.CallActivityAsync(nameof(ActividadesSonda.CompletarSonda), new PasoSonda(ctx.InstanceId, entrada.Pasos, 0, entrada.Cid), Reintentos);
        log.LogInformation("Sonda {Instancia} completada con {Pasos} pasos; cid {Cid}", ctx.InstanceId, entrada.Pasos, entrada.Cid);
        return resultado;
    }
}

public sealed class ActividadesSonda(ILibroSonda libro, ILogger<ActividadesSonda> log)
{
    [Function(nameof(RegistrarPasoSonda))]
    public async Task RegistrarPasoSonda([ActivityTrigger] PasoSonda paso)
    {
        using var _ = Contexto.Entrar(log, paso);
        if (paso.EsperaMs > 0) await Task.Delay(paso.EsperaMs);
        await libro.RegistrarPasoAsync(paso.Instancia, paso.Paso, paso.Cid, CancellationToken.None);
        log.LogInformation("Paso {Paso} de la sonda {Instancia} registrado", paso.Paso, paso.Instancia);
    }

    [Function(nameof(CompletarSonda))]
    public async Task CompletarSonda([ActivityTrigger] PasoSonda paso)
    {
        using var _ = Contexto.Entrar(log, paso);
        await libro.CompletarAsync(paso.Instancia, paso.Paso, CancellationToken.None);
    }
}
