using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Telecable.Application.Facturacion;
using Telecable.Domain.Facturacion;

namespace Telecable.Orchestrations.TimbradoMasivo;

/// <summary>A run's orchestration input: <see cref="Estado"/> is null when it starts, and carries the progress across
/// ContinueAsNew.</summary>
public sealed record EntradaTimbradoMasivo(Guid CorridaId, string Cid, EstadoTimbrado? Estado = null) : IConCid;
/// <summary>One chunk: the run's invoices to stamp whose folio lies in [FolioDesde, FolioHasta] (at most FacturasPorParte).</summary>
public sealed record ParteCorrida(Guid CorridaId, int Parte, long FolioDesde, long FolioHasta, bool UltimaRonda, string Cid) : IConCid;
/// <summary>Where a run stands between episodes: its chunks (chunk i is [Cortes[i], Cortes[i+1] - 1], the last up to
/// UltimoFolio), the round, the chunks of this round still to run (Cola), those with CFDIs left pending for the next
/// round, and the counts so far.</summary>
public sealed record EstadoTimbrado(long[] Cortes, long UltimoFolio, int Generadas, int Ronda, int[] Cola, int[] Pendientes,
    int Timbradas, int Fallidas, int EnVuelo, int PorEpisodio);
public sealed record ResultadoTimbradoMasivo(Guid CorridaId, int Generadas, int Timbradas, int Fallidas, int Pendientes, int Rondas, string Estado);
public sealed record CorridaFallida(Guid CorridaId, string InstanceId, FallaCorrida Causa, string Cid) : IConCid;

/// <summary>
/// A billing run: generate the period's invoices (one activity, one transaction), then stamp them in chunks of a bounded
/// number of CFDIs (FacturasPorParte, 50: one chunk ends well inside the work-item visibility timeout of host.json, so no
/// chunk is delivered twice while it runs), as many chunks as the run needs, at most PartesEnVuelo of them queued at once
/// (a sliding window: a chunk starts when one ends). After PartesPorEpisodio chunks the orchestration continues as new with
/// its progress, so its history stays bounded whatever the run's size (a 50,000-CFDI run: 1,000 chunks, 10 episodes). CFDIs
/// the PAC kept answering "unavailable" are tried again in a next round after a durable timer with exponential backoff; in
/// the last round they are marked error. Each chunk activity is safe to re-run (a crash, a retry): stamped rows are
/// skipped, and a re-sealed CFDI gets its original UUID from the PAC. When an activity fails for good (its retries
/// exhausted: no CSD, no database), no further chunk starts, the chunks in flight end, and the run is ended
/// <c>fallida</c> with the cause, so it never stays <c>en_proceso</c>; <c>reintentar</c> resumes it. Should even that step
/// fail, the reconciliation timer (TareasFacturacion) sees the failed instance and ends the run.
/// </summary>
public static class TimbradoMasivo
{
    private static readonly TaskOptions Reintentos = TaskOptions.FromRetryPolicy(new RetryPolicy(
        maxNumberOfAttempts: 5, firstRetryInterval: TimeSpan.FromSeconds(1), backoffCoefficient: 2, maxRetryInterval: TimeSpan.FromSeconds(30)));

    /// <summary>A chunk waits 1+2+4+8+16+30+30 = 91 s over its 8 attempts: a database refusing connections for a minute
    /// (53300 when every host of a scaled-out app reconnects after one was killed, a failover) does not fail a run of
    /// thousands of CFDIs. Each attempt re-stamps nothing already stamped.</summary>
    private static readonly TaskOptions ReintentosParte = TaskOptions.FromRetryPolicy(new RetryPolicy(
        maxNumberOfAttempts: 8, firstRetryInterval: TimeSpan.FromSeconds(1), backoffCoefficient: 2, maxRetryInterval: TimeSpan.FromSeconds(30)));

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
            // The message carries the SQLSTATE of a PostgreSQL error ("53300: ...", "40P01: ..."): the operator's first clue.
            log.LogError("Corrida {Corrida} fallida en {Actividad}: {Codigo} ({Tipo}: {Mensaje}); cid {Cid}",
                e.CorridaId, ex.TaskName, causa.Codigo, ex.FailureDetails.ErrorType, ex.FailureDetails.ErrorMessage, e.Cid);
            await ctx.CallActivityAsync(nameof(ActividadesTimbrado.MarcarCorridaFallida), new CorridaFallida(e.CorridaId, ctx.InstanceId, causa, e.Cid), Reintentos);
            return new ResultadoTimbradoMasivo(e.CorridaId, 0, 0, 0, 0, 0, "fallida");
        }
    }

    private static async Task<ResultadoTimbradoMasivo> TimbrarAsync(TaskOrchestrationContext ctx, EntradaTimbradoMasivo e, ILogger log)
    {
        var est = e.Estado;
        if (est is null)
        {
            var prep = await ctx.CallActivityAsync<PreparacionCorrida>(nameof(ActividadesTimbrado.PrepararCorrida), e, Reintentos);
            var cortes = prep.Cortes ?? [];
            est = new EstadoTimbrado(cortes, prep.UltimoFolio, prep.Generadas, 1, [.. Enumerable.Range(0, cortes.Length)], [], 0, 0,
                Math.Max(1, prep.PartesEnVuelo), Math.Max(1, prep.PartesPorEpisodio));
        }

        // This episode's chunks: at most PorEpisodio of the round's queue, EnVuelo at once.
        var lote = est.Cola.Take(est.PorEpisodio).ToArray();
        var ultima = est.Ronda >= Rondas;
        int timbradas = 0, fallidas = 0, siguiente = 0;
        var pendientes = new List<int>(est.Pendientes);
        var enVuelo = new Dictionary<Task<ResultadoParte>, int>();
        TaskFailedException? falla = null;
        while (true)
        {
            while (falla is null && siguiente < lote.Length && enVuelo.Count < est.EnVuelo)
            {
                var i = lote[siguiente++];
                var hasta = i + 1 < est.Cortes.Length ? est.Cortes[i + 1] - 1 : est.UltimoFolio;
                enVuelo[ctx.CallActivityAsync<ResultadoParte>(nameof(ActividadesTimbrado.TimbrarParte),
                    new ParteCorrida(e.CorridaId, i, est.Cortes[i], hasta, ultima, e.Cid), ReintentosParte)] = i;
            }
            if (enVuelo.Count == 0) break;
            var hecha = await Task.WhenAny(enVuelo.Keys);
            var parte = enVuelo[hecha];
            enVuelo.Remove(hecha);
            try
            {
                var r = await hecha;
                timbradas += r.Timbradas;
                fallidas += r.Fallidas;
                if (r.Pendientes > 0) pendientes.Add(parte);
            }
            catch (TaskFailedException ex)
            {
                // Start nothing more; let the chunks in flight end (as Task.WhenAll did), then fail the run with the first cause.
                falla ??= ex;
            }
        }
        if (falla is not null) throw falla;

        est = est with { Cola = est.Cola[lote.Length..], Pendientes = [.. pendientes], Timbradas = est.Timbradas + timbradas, Fallidas = est.Fallidas + fallidas };
        if (est.Cola.Length > 0)
        {
            ctx.ContinueAsNew(e with { Estado = est });
            return new ResultadoTimbradoMasivo(e.CorridaId, est.Generadas, est.Timbradas, est.Fallidas, est.Cola.Length, est.Ronda, "en_proceso");
        }
        if (est.Pendientes.Length > 0)
        {
            log.LogWarning("Corrida {Corrida}: {Partes} partes con CFDIs pendientes por PAC no disponible; ronda {Ronda}", e.CorridaId, est.Pendientes.Length, est.Ronda + 1);
            await ctx.CreateTimer(ctx.CurrentUtcDateTime.AddSeconds(Math.Pow(2, est.Ronda)), CancellationToken.None);
            ctx.ContinueAsNew(e with { Estado = est with { Ronda = est.Ronda + 1, Cola = est.Pendientes, Pendientes = [] } });
            return new ResultadoTimbradoMasivo(e.CorridaId, est.Generadas, est.Timbradas, est.Fallidas, est.Pendientes.Length, est.Ronda, "en_proceso");
        }

        var cierre = await ctx.CallActivityAsync<ProgresoCorrida>(nameof(ActividadesTimbrado.CerrarCorrida), e with { Estado = null }, Reintentos);
        log.LogInformation("Corrida {Corrida} {Estado}: {Timbradas} timbradas, {Fallidas} con error en {Rondas} rondas; cid {Cid}",
            e.CorridaId, cierre.Estado, cierre.Timbradas, cierre.Fallidas, est.Ronda, e.Cid);
        return new ResultadoTimbradoMasivo(e.CorridaId, est.Generadas, est.Timbradas, est.Fallidas, cierre.Pendientes, est.Ronda, cierre.Estado);
    }
}

public sealed class ActividadesTimbrado(IPasosCorrida corridas, ITimbradorPartes timbrador, ILogger<ActividadesTimbrado> log)
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
        return await timbrador.TimbrarRangoAsync(p.CorridaId, p.Parte, p.FolioDesde, p.FolioHasta, p.UltimaRonda, p.Cid, CancellationToken.None);
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
