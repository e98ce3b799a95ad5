using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Telecable.Domain.Facturacion;
using Telecable.Infrastructure.Facturacion;

namespace Telecable.Orchestrations.TimbradoMasivo;

public sealed record EntradaTimbradoMasivo(Guid CorridaId, string Cid) : IConCid;
/// <summary>One chunk: the run's invoices to stamp whose folio lies in [FolioDesde, FolioHasta] (at most FacturasPorParte).</summary>
public sealed record ParteCorrida(Guid CorridaId, int Parte, long FolioDesde, long FolioHasta, bool UltimaRonda, string Cid) : IConCid;
/// <summary>A group of chunks driven by one TimbrarGrupo sub-orchestration: chunk i of the group is
/// [Cortes[i], Cortes[i+1] - 1], the last one up to <see cref="UltimoFolio"/>.</summary>
public sealed record GrupoCorrida(Guid CorridaId, int Grupo, int PrimeraParte, long[] Cortes, long UltimoFolio, string Cid) : IConCid;
/// <summary>What a group did; <see cref="Falla"/> when one of its activities failed for good (the run then ends fallida).</summary>
public sealed record ResultadoGrupo(int Timbradas, int Fallidas, int Pendientes, int Rondas, FallaCorrida? Falla);
public sealed record ResultadoTimbradoMasivo(Guid CorridaId, int Generadas, int Timbradas, int Fallidas, int Pendientes, int Rondas, string Estado);
public sealed record CorridaFallida(Guid CorridaId, string InstanceId, FallaCorrida Causa, string Cid) : IConCid;

/// <summary>
/// A billing run: generate the period's invoices (one activity, one transaction), then stamp them in chunks of a bounded
/// number of CFDIs (FacturasPorParte, 50: one chunk ends well inside the work-item visibility timeout, so no chunk is
/// delivered twice while it runs), as many chunks as the run needs. Chunks go out in groups, one TimbrarGrupo
/// sub-orchestration per group with its own rounds, and only GruposEnVuelo groups at once: the work queued and every
/// orchestration's history stay bounded whatever the run's size (a 50,000-CFDI run: 1,000 chunks, 50 groups, 4 in flight;
/// this orchestration's history holds two events per group). In each group, CFDIs the PAC kept answering "unavailable"
/// are tried again after a durable timer with exponential backoff; in the last round they are marked error. Each chunk
/// activity is safe to re-run (a crash, a retry): stamped rows are skipped, and a re-sealed CFDI gets its original UUID
/// from the PAC. When an activity fails for good (its retries exhausted: no CSD, no database), no further group starts,
/// the groups in flight end, and the run is ended <c>fallida</c> with the cause, so it never stays <c>en_proceso</c>;
/// <c>reintentar</c> resumes it. Should even that step fail, the reconciliation timer (TareasFacturacion) sees the
/// failed instance and ends the run.
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
            return await FallarAsync(ctx, e, log, causa, ex.TaskName, ex.FailureDetails.ErrorType);
        }
    }

    private static async Task<ResultadoTimbradoMasivo> FallarAsync(TaskOrchestrationContext ctx, EntradaTimbradoMasivo e, ILogger log,
        FallaCorrida causa, string tarea, string tipo)
    {
        log.LogError("Corrida {Corrida} fallida en {Actividad}: {Codigo} ({Tipo}); cid {Cid}", e.CorridaId, tarea, causa.Codigo, tipo, e.Cid);
        await ctx.CallActivityAsync(nameof(ActividadesTimbrado.MarcarCorridaFallida), new CorridaFallida(e.CorridaId, ctx.InstanceId, causa, e.Cid), Reintentos);
        return new ResultadoTimbradoMasivo(e.CorridaId, 0, 0, 0, 0, 0, "fallida");
    }

    private static async Task<ResultadoTimbradoMasivo> TimbrarAsync(TaskOrchestrationContext ctx, EntradaTimbradoMasivo e, ILogger log)
    {
        var prep = await ctx.CallActivityAsync<PreparacionCorrida>(nameof(ActividadesTimbrado.PrepararCorrida), e, Reintentos);
        var grupos = Agrupar(e, prep);
        int timbradas = 0, fallidas = 0, rondas = 0, siguiente = 0;
        ResultadoGrupo? fallido = null;
        var enVuelo = new List<Task<ResultadoGrupo>>();
        while (true)
        {
            // A sliding window: a new group starts as soon as one ends, never more than GruposEnVuelo at once, none after a failure.
            while (fallido is null && siguiente < grupos.Count && enVuelo.Count < prep.GruposEnVuelo)
            {
                var g = grupos[siguiente++];
                // A stable id per group: a replay (or a host that takes over after a crash) finds the same sub-orchestration.
                enVuelo.Add(ctx.CallSubOrchestratorAsync<ResultadoGrupo>(nameof(TimbrarGrupo), g,
                    new SubOrchestrationOptions { InstanceId = $"{ctx.InstanceId}:g{g.Grupo}" }));
            }
            if (enVuelo.Count == 0) break;
            var hecha = await Task.WhenAny(enVuelo);
            enVuelo.Remove(hecha);
            var r = await hecha;
            timbradas += r.Timbradas;
            fallidas += r.Fallidas;
            rondas = Math.Max(rondas, r.Rondas);
            if (r.Falla is not null) fallido ??= r;
        }
        if (fallido?.Falla is { } falla) return await FallarAsync(ctx, e, log, falla, nameof(TimbrarGrupo), falla.Codigo);

        var cierre = await ctx.CallActivityAsync<ProgresoCorrida>(nameof(ActividadesTimbrado.CerrarCorrida), e, Reintentos);
        log.LogInformation("Corrida {Corrida} {Estado}: {Timbradas} timbradas, {Fallidas} con error en {Rondas} rondas, {Grupos} grupos; cid {Cid}",
            e.CorridaId, cierre.Estado, cierre.Timbradas, cierre.Fallidas, rondas, grupos.Count, e.Cid);
        return new ResultadoTimbradoMasivo(e.CorridaId, prep.Generadas, timbradas, fallidas, cierre.Pendientes, rondas, cierre.Estado);
    }

    /// <summary>The run's chunks cut into groups of PartesPorGrupo, each with its own folio cuts.</summary>
    public static IReadOnlyList<GrupoCorrida> Agrupar(EntradaTimbradoMasivo e, PreparacionCorrida prep)
    {
        var cortes = prep.Cortes ?? [];
        var tamano = Math.Max(1, prep.PartesPorGrupo);
        var grupos = new List<GrupoCorrida>();
        for (int i = 0, g = 0; i < cortes.Length; i += tamano, g++)
        {
            var n = Math.Min(tamano, cortes.Length - i);
            var ultimo = i + n < cortes.Length ? cortes[i + n] - 1 : prep.UltimoFolio;
            grupos.Add(new GrupoCorrida(e.CorridaId, g, i, cortes[i..(i + n)], ultimo, e.Cid));
        }
        return grupos;
    }

    /// <summary>
    /// One group of chunks, with its rounds: all its chunks at once, then those with CFDIs left pending (PAC unavailable)
    /// again after a durable timer (2, 4, 8... s); the last round marks what is still pending as error. An activity
    /// that fails for good ends the group with its cause, for the parent to end the run fallida.
    /// </summary>
    [Function(nameof(TimbrarGrupo))]
    public static async Task<ResultadoGrupo> TimbrarGrupo([OrchestrationTrigger] TaskOrchestrationContext ctx)
    {
        var g = ctx.GetInput<GrupoCorrida>() ?? throw new InvalidOperationException("TimbrarGrupo sin entrada.");
        var log = ctx.CreateReplaySafeLogger(nameof(TimbrarGrupo));
        int timbradas = 0, fallidas = 0, ronda = 0;
        var partes = Enumerable.Range(0, g.Cortes.Length).ToList();
        try
        {
            while (partes.Count > 0)
            {
                ronda++;
                var ultima = ronda >= Rondas;
                var tareas = partes.Select(i => ctx.CallActivityAsync<ResultadoParte>(nameof(ActividadesTimbrado.TimbrarParte),
                    new ParteCorrida(g.CorridaId, g.PrimeraParte + i, g.Cortes[i], i + 1 < g.Cortes.Length ? g.Cortes[i + 1] - 1 : g.UltimoFolio, ultima, g.Cid),
                    Reintentos)).ToList();
                var resultados = await Task.WhenAll(tareas);
                timbradas += resultados.Sum(r => r.Timbradas);
                fallidas += resultados.Sum(r => r.Fallidas);
                partes = partes.Where((_, i) => resultados[i].Pendientes > 0).ToList();
                if (partes.Count > 0)
                {
                    log.LogWarning("Corrida {Corrida} grupo {Grupo}: {Partes} partes con CFDIs pendientes por PAC no disponible; ronda {Ronda}",
                        g.CorridaId, g.Grupo, partes.Count, ronda + 1);
                    await ctx.CreateTimer(ctx.CurrentUtcDateTime.AddSeconds(Math.Pow(2, ronda)), CancellationToken.None);
                }
            }
            return new ResultadoGrupo(timbradas, fallidas, 0, ronda, null);
        }
        catch (TaskFailedException ex)
        {
            var causa = FallaCorrida.Clasificar(ex.FailureDetails.ErrorType, ex.FailureDetails.ErrorMessage, ex.TaskName);
            log.LogError("Corrida {Corrida} grupo {Grupo}: {Actividad} falló sin remedio: {Codigo} ({Tipo}); cid {Cid}",
                g.CorridaId, g.Grupo, ex.TaskName, causa.Codigo, ex.FailureDetails.ErrorType, g.Cid);
            return new ResultadoGrupo(timbradas, fallidas, partes.Count, ronda, causa);
        }
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
