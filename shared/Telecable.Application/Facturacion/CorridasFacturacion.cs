using Telecable.Domain.Facturacion;

namespace Telecable.Application.Facturacion;

/// <summary>A run's state and counts; <see cref="Causa"/> says why a <c>fallida</c> run stopped.</summary>
public sealed record ProgresoCorrida(
    Guid Id, string Periodo, string Estado, string? InstanceId, int Total, int Timbradas, int Fallidas, int Pendientes,
    int Canceladas, decimal MontoTimbrado, IReadOnlyDictionary<string, int> Errores, DateTimeOffset? IniciadaEn, DateTimeOffset? TerminadaEn,
    FallaCorrida? Causa = null, string? SolicitadaPor = null, int Recibos = 0, decimal MontoRecibos = 0m);

/// <summary>How a run's execution proceeds: whether its invoices are still to be generated (<see cref="Generar"/>: a first
/// execution, or one whose generation failed half way), and how to stamp them: at most <see cref="PartesEnVuelo"/> chunks
/// queued at once, the orchestration continuing as new every <see cref="PartesPorEpisodio"/> chunks (or generated pages).
/// No list of invoices, contracts or chunks: each episode pages them from the database (<see cref="IPasosCorrida.PartesAsync"/>).</summary>
public sealed record PreparacionCorrida(bool Generar, int PartesEnVuelo = 6, int PartesPorEpisodio = 100);

/// <summary>Where generation stands after one page of contracts: the contracts sort by (customer number, contract id), and
/// every contract up to and including this cursor is billed.</summary>
public sealed record CursorContratos(long NumeroCliente, Guid ContratoId);

/// <summary>One generated page: invoices and receipts it inserted, the cursor after it, and whether generation ended (no
/// contract left after the cursor).</summary>
public sealed record PaginaGenerada(int Generadas, CursorContratos? Cursor, bool Terminada);

/// <summary>One chunk to stamp: the run's invoices still to stamp whose folio lies in [Desde, Hasta], at most
/// FacturasPorParte of them. Two numbers, whatever the run's size.</summary>
public sealed record RangoFolios(long Desde, long Hasta);

/// <summary>What a chunk activity did: stamped, failed for good, and left for the next round (PAC unavailable).</summary>
public sealed record ResultadoParte(int Timbradas, int Fallidas, int Pendientes);

/// <summary>The billing run's steps around stamping, as the TimbradoMasivo orchestration calls them (Infrastructure's
/// ServicioCorridas implements it). Each is idempotent: a re-run activity finds what the first attempt did.</summary>
public interface IPasosCorrida
{
    /// <summary>Starts an execution of the run (counts it) and says whether its invoices are still to be generated.</summary>
    Task<PreparacionCorrida> PrepararAsync(Guid corridaId, CancellationToken ct);

    /// <summary>Generates the invoices of the next page of contracts after <paramref name="despues"/> (null: the first page,
    /// which also applies deferred plan changes and late fees), gap-free folios in the page's own transaction. Safe to
    /// re-run or to run twice at once: pages of one run are serialized and bill only contracts not billed yet.</summary>
    Task<PaginaGenerada> GenerarPaginaAsync(Guid corridaId, CursorContratos? despues, CancellationToken ct);

    /// <summary>The next chunks to stamp: up to <paramref name="maximo"/> folio ranges of FacturasPorParte invoices still to
    /// stamp, all after folio <paramref name="despuesDeFolio"/> (keyset over the (corrida_id, folio) index).</summary>
    Task<IReadOnlyList<RangoFolios>> PartesAsync(Guid corridaId, long despuesDeFolio, int maximo, CancellationToken ct);

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
