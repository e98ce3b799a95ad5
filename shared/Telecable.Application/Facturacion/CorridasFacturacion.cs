using Telecable.Domain.Facturacion;

namespace Telecable.Application.Facturacion;

/// <summary>A run's state and counts; <see cref="Causa"/> says why a <c>fallida</c> run stopped.</summary>
public sealed record ProgresoCorrida(
    Guid Id, string Periodo, string Estado, string? InstanceId, int Total, int Timbradas, int Fallidas, int Pendientes,
    int Canceladas, decimal MontoTimbrado, IReadOnlyDictionary<string, int> Errores, DateTimeOffset? IniciadaEn, DateTimeOffset? TerminadaEn,
    FallaCorrida? Causa = null, string? SolicitadaPor = null, int Recibos = 0, decimal MontoRecibos = 0m);

/// <summary>What a run's execution will stamp: <see cref="Partes"/> chunks of at most FacturasPorParte invoices each; chunk i
/// owns the folios from <see cref="Cortes"/>[i] up to the next cut (the last one up to <see cref="UltimoFolio"/>), so a
/// chunk's input is two numbers and its query one index range. At most <see cref="PartesEnVuelo"/> chunks are queued at
/// once; the orchestration continues as new every <see cref="PartesPorEpisodio"/> chunks.</summary>
public sealed record PreparacionCorrida(int Generadas, int PorTimbrar, int Partes, long[]? Cortes = null, long UltimoFolio = 0,
    int PartesEnVuelo = 16, int PartesPorEpisodio = 100);

/// <summary>What a chunk activity did: stamped, failed for good, and left for the next round (PAC unavailable).</summary>
public sealed record ResultadoParte(int Timbradas, int Fallidas, int Pendientes);

/// <summary>The billing run's steps around stamping, as the TimbradoMasivo orchestration calls them (Infrastructure's
/// ServicioCorridas implements it). Each is idempotent: a re-run activity finds what the first attempt did.</summary>
public interface IPasosCorrida
{
    /// <summary>Generates the period's invoices (gap-free folios, one transaction) and says how to chunk their stamping.</summary>
    Task<PreparacionCorrida> PrepararAsync(Guid corridaId, CancellationToken ct);

    /// <summary>Ends a live run as fallida with its cause, once (false: it was not live, or another instance drives it).</summary>
    Task<bool> MarcarFallidaAsync(Guid id, FallaCorrida causa, string? instancia, string cid, CancellationToken ct);

    /// <summary>Closes the run's execution from what the database says.</summary>
    Task<ProgresoCorrida> CerrarAsync(Guid corridaId, string cid, CancellationToken ct);
}

/// <summary>Stamps one chunk of a run (Infrastructure's TimbradorFacturas implements it): the run's invoices to stamp whose
/// folio lies in [desde, hasta]. Safe to re-run; CFDIs the PAC kept answering "unavailable" come back as Pendientes
/// (as errors when <paramref name="ultimaRonda"/>).</summary>
public interface ITimbradorPartes
{
    Task<ResultadoParte> TimbrarRangoAsync(Guid corridaId, int parte, long desde, long hasta, bool ultimaRonda, string cid, CancellationToken ct);
}
