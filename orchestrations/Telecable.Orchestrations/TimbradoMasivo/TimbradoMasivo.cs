using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Telecable.Domain.Facturacion;
using Telecable.Infrastructure.Facturacion;

namespace Telecable.Orchestrations.TimbradoMasivo;

public sealed record EntradaTimbradoMasivo(Guid CorridaId, string Cid) : IConCid;
public sealed record ParteCorrida(Guid CorridaId, int Parte, int Partes, bool UltimaRonda, string Cid) : IConCid;
public sealed record ResultadoTimbradoMasivo(Guid CorridaId, int Generadas, int Timbradas, int Fallidas, int Pendientes, int Rondas, string Estado);
public sealed record CorridaFallida(Guid CorridaId, string InstanceId, FallaCorrida Causa, string Cid) : IConCid;

/// <summary>
/// A billing run: generate the period's invoices (one activity, one transaction), fan out over them in chunks
/// (about 50 CFDIs per activity, at most 20 activities: one activity per CFDI is far too slow on the Azure
/// Storage backend), fan in, and repeat over the CFDIs the PAC kept answering "unavailable", after a durable timer
/// with exponential backoff; in the last round those are marked error. Each chunk activity is safe to re-run (a
/// crash, a retry): stamped rows are skipped, and a re-sealed CFDI gets its original UUID from the PAC.
/// When an activity fails for good (its retries exhausted: no CSD, no database), the run is ended <c>fallida</c> with
/// the cause, so it never stays <c>en_proceso</c>; <c>reintentar</c> resumes it. Should even that step fail, the
/// reconciliation timer (TareasFacturacion) sees the failed instance and ends the run.
/// </summary>
public static class TimbradoMasivo
{
    private static readonly TaskOptions Reintentos = TaskOptions.FromRetryPolicy(new RetryPolicy(
        maxNumberOfAttempts: 5, firstRetryInterval: TimeSpan.FromSeconds(1), backoffCoefficient: 2, maxRetryInterval: TimeSpan.FromSeconds(30)));

    /// <summary>Rounds over CFDIs left pending because the PAC was unavailable.</summary>
    public const int Rondas = 5;

    [Function(nameof(TimbradoMasivo))]
    public static async Task<ResultadoTimbradoMasivo> Ejecutar([OrchestrationTrigger] TaskOrchestrationContext ctx)
    {
        var e = ctx.GetInput<EntradaTimbradoMasivo>() ?? throw new InvalidOperationException("TimbradoMasivo sin entrada.");
        var log = ctx.CreateReplaySafeLogger(nameof(TimbradoMasivo));
        try
        {
            return await TimbrarAsync(ctx, e, log);
        }
        catch (TaskFailedException ex)
        {
            var causa = FallaCorrida.Clasificar(ex.FailureDetails.ErrorType, ex.FailureDetails.ErrorMessage, ex.TaskName);
            log.LogError("Corrida {Corrida} fallida en {Actividad}: {Codigo} ({Tipo}); cid {Cid}",
                e.CorridaId, ex.TaskName, causa.Codigo, ex.FailureDetails.ErrorType, e.Cid);
            await ctx.CallActivityAsync(nameof(ActividadesTimbrado.MarcarCorridaFallida), new CorridaFallida(e.CorridaId, ctx.InstanceId, causa, e.Cid), Reintentos);
            return new ResultadoTimbradoMasivo(e.CorridaId, 0, 0, 0, 0, 0, "fallida");
        }
    }

    private static async Task<ResultadoTimbradoMasivo> TimbrarAsync(TaskOrchestrationContext ctx, EntradaTimbradoMasivo e, ILogger log)
    {
        var prep = await ctx.CallActivityAsync<PreparacionCorrida>(nameof(ActividadesTimbrado.PrepararCorrida), e, Reintentos);
        int timbradas = 0, fallidas = 0, ronda = 0;
        var partes = Enumerable.Range(0, prep.Partes).ToList();
        while (partes.Count > 0)
        {
            ronda++;
            var ultima = ronda >= Rondas;
            var tareas = partes.Select(p => ctx.CallActivityAsync<ResultadoParte>(
                nameof(ActividadesTimbrado.TimbrarParte), new ParteCorrida(e.CorridaId, p, prep.Partes, ultima, e.Cid), Reintentos)).ToList();
            var resultados = await Task.WhenAll(tareas);
            timbradas += resultados.Sum(r => r.Timbradas);
            fallidas += resultados.Sum(r => r.Fallidas);
            partes = partes.Where((_, i) => resultados[i].Pendientes > 0).ToList();
            if (partes.Count > 0)
            {
                log.LogWarning("Corrida {Corrida}: {Partes} partes con CFDIs pendientes por PAC no disponible; ronda {Ronda}", e.CorridaId, partes.Count, ronda + 1);
                await ctx.CreateTimer(ctx.CurrentUtcDateTime.AddSeconds(Math.Pow(2, ronda)), CancellationToken.None);
            }
        }
        var cierre = await ctx.CallActivityAsync<ProgresoCorrida>(nameof(ActividadesTimbrado.CerrarCorrida), e, Reintentos);
        log.LogInformation("Corrida {Corrida} {Estado}: {Timbradas} timbradas, {Fallidas} con error en {Rondas} rondas; cid {Cid}",
            e.CorridaId, cierre.Estado, cierre.Timbradas, cierre.Fallidas, ronda, e.Cid);
        return new ResultadoTimbradoMasivo(e.CorridaId, prep.Generadas, timbradas, fallidas, cierre.Pendientes, ronda, cierre.Estado);
    }
}

public sealed class ActividadesTimbrado(ServicioCorridas corridas, TimbradorFacturas timbrador, ILogger<ActividadesTimbrado> log)
{
    [Function(nameof(PrepararCorrida))]
    public async Task<PreparacionCorrida> PrepararCorrida([ActivityTrigger] EntradaTimbradoMasivo e)
    {
        using var _ = Contexto.Entrar(log, e);
        var p = await corridas.PrepararAsync(e.CorridaId, CancellationToken.None);
        log.LogInformation("Corrida {Corrida}: {Generadas} facturas generadas, {PorTimbrar} por timbrar en {Partes} partes",
            e.CorridaId, p.Generadas, p.PorTimbrar, p.Partes);
        return p;
    }

    [Function(nameof(TimbrarParte))]
    public async Task<ResultadoParte> TimbrarParte([ActivityTrigger] ParteCorrida p)
    {
        using var _ = Contexto.Entrar(log, p);
        return await timbrador.TimbrarParteAsync(p.CorridaId, p.Parte, p.Partes, p.UltimaRonda, p.Cid, CancellationToken.None);
    }

    [Function(nameof(MarcarCorridaFallida))]
    public async Task MarcarCorridaFallida([ActivityTrigger] CorridaFallida f)
    {
        using var _ = Contexto.Entrar(log, f);
        await corridas.MarcarFallidaAsync(f.CorridaId, f.Causa, f.InstanceId, f.Cid, CancellationToken.None);
    }

    [Function(nameof(CerrarCorrida))]
    public async Task<ProgresoCorrida> CerrarCorrida([ActivityTrigger] EntradaTimbradoMasivo e)
    {
        using var _ = Contexto.Entrar(log, e);
        return await corridas.CerrarAsync(e.CorridaId, e.Cid, CancellationToken.None);
    }
}
