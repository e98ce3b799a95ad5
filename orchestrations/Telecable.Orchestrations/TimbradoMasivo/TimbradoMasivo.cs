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
/// <summary>One page of generation: the contracts after <see cref="Despues"/> (null: the first page).</summary>
public sealed record PaginaCorrida(Guid CorridaId, CursorContratos? Despues, string Cid) : IConCid;
/// <summary>Asks for the next chunks of the round: up to <see cref="Maximo"/> folio ranges after <see cref="DespuesDeFolio"/>.</summary>
public sealed record SiguientesPartes(Guid CorridaId, long DespuesDeFolio, int Maximo, string Cid) : IConCid;
/// <summary>
/// Where a run stands between episodes, in numbers only (its size never shows here: no list of contracts, invoices or
/// chunks): whether it is still generating and the contract cursor it got to; the round, the folio the round got to
/// (chunks are paged from the database after it), how many chunks the run started (for their numbers in the logs),
/// whether some chunk left CFDIs pending for the next round, and the counts so far.
/// </summary>
public sealed record EstadoTimbrado(bool Generando, CursorContratos? Contratos, int Generadas, int Ronda, long Folio, int Partes,
    bool ConPendientes, int Timbradas, int Fallidas, int EnVuelo, int PorEpisodio);
public sealed record ResultadoTimbradoMasivo(Guid CorridaId, int Generadas, int Timbradas, int Fallidas, int Pendientes, int Rondas, string Estado);
public sealed record CorridaFallida(Guid CorridaId, string InstanceId, FallaCorrida Causa, string Cid) : IConCid;

/// <summary>
/// A billing run: generate the period's invoices one page of ContratosPorPagina contracts per activity (each its own
/// transaction), then stamp them in chunks of a bounded number of CFDIs (FacturasPorParte, 50: one chunk ends well inside
/// the work-item visibility timeout of host.json, so no chunk is delivered twice while it runs), as many chunks as the run
/// needs, at most PartesEnVuelo of them queued at once (a sliding window: a chunk starts when one ends). Each episode asks
/// the database for its next PartesPorEpisodio chunks after the folio the last one reached (two numbers each) and then
/// continues as new with its progress, so neither its history nor its input nor any activity's payload grows with the
/// run (a 50,000-CFDI run: 50 generation pages, 1,000 chunks, about 11 episodes). CFDIs the PAC kept answering
/// "unavailable" are left in borrador and a next round, after a durable timer with exponential backoff, pages the run
/// again from its first folio (only they are left); in the last round they are marked error. Each chunk activity is safe
/// to re-run (a crash, a retry): stamped rows are skipped, and a re-sealed CFDI gets its original UUID from the PAC. When
/// an activity fails for good (its retries exhausted: no CSD, no database), no further chunk starts, the chunks in flight
/// end, and the run is ended <c>fallida</c> with the cause, so it never stays <c>en_proceso</c>; <c>reintentar</c>
/// resumes it (generation included, where it stopped). Should even that step fail, the reconciliation timer
/// (TareasFacturacion) sees the failed instance and ends the run.
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
            est = new EstadoTimbrado(prep.Generar, null, 0, 1, 0, 0, false, 0, 0, Math.Max(1, prep.PartesEnVuelo), Math.Max(1, prep.PartesPorEpisodio));
        }
        if (est.Generando)
        {
            // Stamping starts in an episode of its own, so no episode holds more than PorEpisodio activities.
            est = await GenerarAsync(ctx, e, est);
            ctx.ContinueAsNew(e with { Estado = est });
            return EnProceso(e, est);
        }

        var rangos = await ctx.CallActivityAsync<RangoFolios[]>(nameof(ActividadesTimbrado.PartesCorrida),
            new SiguientesPartes(e.CorridaId, est.Folio, est.PorEpisodio, e.Cid), Reintentos);
        if (rangos.Length > 0)
        {
            est = await TimbrarPartesAsync(ctx, e, est, rangos);
            // A full page may have more chunks after it; a short one was the round's last.
            if (rangos.Length == est.PorEpisodio)
            {
                ctx.ContinueAsNew(e with { Estado = est });
                return EnProceso(e, est);
            }
        }
        if (est.ConPendientes)
        {
            log.LogWarning("Corrida {Corrida}: partes con CFDIs pendientes por PAC no disponible; ronda {Ronda}", e.CorridaId, est.Ronda + 1);
            await ctx.CreateTimer(ctx.CurrentUtcDateTime.AddSeconds(Math.Pow(2, est.Ronda)), CancellationToken.None);
            ctx.ContinueAsNew(e with { Estado = est with { Ronda = est.Ronda + 1, Folio = 0, ConPendientes = false } });
            return EnProceso(e, est);
        }

        var cierre = await ctx.CallActivityAsync<ProgresoCorrida>(nameof(ActividadesTimbrado.CerrarCorrida), e with { Estado = null }, Reintentos);
        log.LogInformation("Corrida {Corrida} {Estado}: {Timbradas} timbradas, {Fallidas} con error en {Rondas} rondas; cid {Cid}",
            e.CorridaId, cierre.Estado, cierre.Timbradas, cierre.Fallidas, est.Ronda, e.Cid);
        return new ResultadoTimbradoMasivo(e.CorridaId, est.Generadas, est.Timbradas, est.Fallidas, cierre.Pendientes, est.Ronda, cierre.Estado);
    }

    private static ResultadoTimbradoMasivo EnProceso(EntradaTimbradoMasivo e, EstadoTimbrado est) =>
        new(e.CorridaId, est.Generadas, est.Timbradas, est.Fallidas, 0, est.Ronda, "en_proceso");

    /// <summary>Up to PorEpisodio pages of generation, one after the other (folios are allocated in order).</summary>
    private static async Task<EstadoTimbrado> GenerarAsync(TaskOrchestrationContext ctx, EntradaTimbradoMasivo e, EstadoTimbrado est)
    {
        for (var i = 0; i < est.PorEpisodio && est.Generando; i++)
        {
            var p = await ctx.CallActivityAsync<PaginaGenerada>(nameof(ActividadesTimbrado.GenerarPagina),
                new PaginaCorrida(e.CorridaId, est.Contratos, e.Cid), Reintentos);
            est = est with { Generando = !p.Terminada, Contratos = p.Cursor, Generadas = est.Generadas + p.Generadas };
        }
        return est;
    }

    /// <summary>This episode's chunks, EnVuelo at once; the folio reached, the counts and whether any CFDI was left pending.</summary>
    private static async Task<EstadoTimbrado> TimbrarPartesAsync(TaskOrchestrationContext ctx, EntradaTimbradoMasivo e, EstadoTimbrado est,
        RangoFolios[] rangos)
    {
        var ultima = est.Ronda >= Rondas;
        int timbradas = 0, fallidas = 0, siguiente = 0;
        var pendientes = est.ConPendientes;
        var enVuelo = new List<Task<ResultadoParte>>();
        TaskFailedException? falla = null;
        while (true)
        {
            while (falla is null && siguiente < rangos.Length && enVuelo.Count < est.EnVuelo)
            {
                var r = rangos[siguiente];
                enVuelo.Add(ctx.CallActivityAsync<ResultadoParte>(nameof(ActividadesTimbrado.TimbrarParte),
                    new ParteCorrida(e.CorridaId, est.Partes + siguiente, r.Desde, r.Hasta, ultima, e.Cid), ReintentosParte));
                siguiente++;
            }
            if (enVuelo.Count == 0) break;
            var hecha = await Task.WhenAny(enVuelo);
            enVuelo.Remove(hecha);
            try
            {
                var r = await hecha;
                timbradas += r.Timbradas;
                fallidas += r.Fallidas;
                pendientes |= r.Pendientes > 0;
            }
            catch (TaskFailedException ex)
            {
                // Start nothing more; let the chunks in flight end (as Task.WhenAll did), then fail the run with the first cause.
                falla ??= ex;
            }
        }
        if (falla is not null) throw falla;
        return est with { Folio = rangos[^1].Hasta, Partes = est.Partes + rangos.Length, ConPendientes = pendientes,
            Timbradas = est.Timbradas + timbradas, Fallidas = est.Fallidas + fallidas };
    }
}

public sealed class ActividadesTimbrado(IPasosCorrida corridas, ITimbradorPartes timbrador, ILogger<ActividadesTimbrado> log)
{
    [Function(nameof(PrepararCorrida))]
    public async Task<PreparacionCorrida> PrepararCorrida([ActivityTrigger] EntradaTimbradoMasivo e)
    {
        using var _ = Contexto.Entrar(log, e);
        var p = await corridas.PrepararAsync(e.CorridaId, CancellationToken.None);
        log.LogInformation("Corrida {Corrida}: ejecución preparada, {Generar}", e.CorridaId, p.Generar ? "por generar" : "ya generada");
        return p;
    }

    [Function(nameof(GenerarPagina))]
    public async Task<PaginaGenerada> GenerarPagina([ActivityTrigger] PaginaCorrida p)
    {
        using var _ = Contexto.Entrar(log, p);
        var r = await corridas.GenerarPaginaAsync(p.CorridaId, p.Despues, CancellationToken.None);
        log.LogInformation("Corrida {Corrida}: {Generadas} facturas generadas en la página tras {Cursor}{Fin}",
            p.CorridaId, r.Generadas, p.Despues?.NumeroCliente, r.Terminada ? "; generación terminada" : "");
        return r;
    }

    [Function(nameof(PartesCorrida))]
    public async Task<RangoFolios[]> PartesCorrida([ActivityTrigger] SiguientesPartes s)
    {
        using var _ = Contexto.Entrar(log, s);
        return [.. await corridas.PartesAsync(s.CorridaId, s.DespuesDeFolio, s.Maximo, CancellationToken.None)];
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
