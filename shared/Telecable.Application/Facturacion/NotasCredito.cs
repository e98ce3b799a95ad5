using Telecable.Application.Comun;
using Telecable.Domain.Comun;

namespace Telecable.Application.Facturacion;

/// <summary>One invoice line to credit: its number and the base (before taxes) credited on it.</summary>
public sealed record LineaNotaCreditoSolicitada(int? Linea, decimal? Importe);

/// <summary>
/// POST /api/facturacion/{uuid}/notas-credito: either <c>monto</c> (taxes included, spread over the invoice's lines in
/// proportion) or <c>lineas</c>; <c>motivo</c> always; <c>tipoRelacion</c> 01 (default) or 07 (an advance applied).
/// </summary>
public sealed record SolicitudNotaCredito(decimal? Monto, IReadOnlyList<LineaNotaCreditoSolicitada>? Lineas, string? Motivo, string? TipoRelacion);

/// <summary>A credit note as listed with its invoice.</summary>
public sealed record NotaCreditoEmitida(
    Guid Id, Guid? Uuid, Guid FacturaUuid, string Serie, long Folio, string TipoRelacion, string Origen, string Motivo,
    decimal Subtotal, decimal Iva, decimal Ieps, decimal Total, string Estado, DateTimeOffset CreadaEn, DateTimeOffset? TimbradaEn);

/// <summary>The note and whether the PAC could not be reached (the note stays sealed; a retry with the same key stamps it).</summary>
public sealed record ResultadoNotaCredito(NotaCreditoEmitida Nota, bool PacNoDisponible);

/// <summary>Who asks and why: origen is manual (back office), sla (outage credit) or cortesia (goodwill).</summary>
public sealed record ContextoNotaCredito(string Clave, string Origen, string Actor, string Cid)
{
    public const string Manual = "manual";
    public const string Sla = "sla";
    public const string Cortesia = "cortesia";
}

/// <summary>Credit notes (CFDI type E) against stamped invoices: issue exactly once, list, download.</summary>
public interface IServicioNotasCredito
{
    Task<ResultadoNotaCredito> EmitirAsync(Guid facturaUuid, SolicitudNotaCredito solicitud, ContextoNotaCredito contexto, CancellationToken ct);

    /// <summary>The notes of an invoice (404 when the caller may not see the invoice).</summary>
    Task<Pagina<NotaCreditoEmitida>> DeFacturaAsync(Usuario u, Guid facturaUuid, Paginacion p, CancellationToken ct);

    Task<string> XmlAsync(Usuario u, Guid uuid, CancellationToken ct);

    Task<string> RepresentacionAsync(Usuario u, Guid uuid, CancellationToken ct);

    /// <summary>Re-sends notes left sealed (PAC unavailable, or a crash) for longer than <paramref name="antiguedad"/> and nobody
    /// retried: the same XML, so the PAC answers with the original stamp if it had one. Returns how many got stamped.</summary>
    Task<int> ReanudarSelladasAsync(TimeSpan antiguedad, string cid, CancellationToken ct);
}
