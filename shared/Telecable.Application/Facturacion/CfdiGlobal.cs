using Telecable.Application.Comun;
using Telecable.Domain.Comun;

namespace Telecable.Application.Facturacion;

/// <summary>A global CFDI (to XAXX010101000 with InformacionGlobal) as listed: the month it covers and its totals.</summary>
public sealed record CfdiGlobalEmitido(
    Guid Id, Guid? Uuid, string Serie, long Folio, string Periodo, string Periodicidad, string Meses, int Anio, int Recibos,
    decimal Subtotal, decimal Descuento, decimal Iva, decimal Ieps, decimal Total, string Estado, bool FueraDePlazo,
    DateTimeOffset CreadoEn, DateTimeOffset? TimbradoEn);

/// <summary>The global CFDI, whether this call created it (false: it existed, a repeat), and whether the PAC could not be
/// reached (it stays sealed; a repeat or the timer stamps that same CFDI).</summary>
public sealed record ResultadoCfdiGlobal(CfdiGlobalEmitido Cfdi, bool Creado, bool PacNoDisponible);

/// <summary>A receipt (nota de venta) of a customer without an RFC: the monthly bill that is not an individual CFDI. CfdiGlobalUuid:
/// the global CFDI that reports it; FacturaUuid: the customer's own CFDI of it, when they asked for one (then no global CFDI takes it);
/// Facturable: the customer may still ask for it (<c>POST /api/facturacion/recibos/{id}/factura</c>).</summary>
public sealed record ReciboEmitido(
    Guid Id, string Serie, long Folio, Guid ClienteId, string ClienteNombre, string? Periodo, decimal Subtotal, decimal Descuento,
    decimal Iva, decimal Ieps, decimal Total, decimal Acreditado, string Estado, DateTimeOffset? FechaEmision, DateOnly? FechaVencimiento,
    Guid? CfdiGlobalUuid, Guid? FacturaUuid = null, bool Facturable = false);

/// <summary>Receipts and the global CFDI that covers them (issue 20; docs/facturacion.md, "Recibos y CFDI global").</summary>
public interface IServicioCfdiGlobal
{
    /// <summary>Issues the global CFDI of the month (closed months only) exactly once: a repeat, a crash or a retry finds the
    /// period's CFDI (unique per period) and, when it is still sealed, re-sends the very same XML.</summary>
    Task<ResultadoCfdiGlobal> EmitirAsync(DateOnly periodo, string actor, string cid, CancellationToken ct);

    /// <summary>Re-sends global CFDIs left sealed for longer than <paramref name="antiguedad"/> (PAC unavailable, a crash).
    /// Returns how many got stamped.</summary>
    Task<int> ReanudarSelladosAsync(TimeSpan antiguedad, string cid, CancellationToken ct);

    Task<Pagina<CfdiGlobalEmitido>> ListarAsync(int pagina, int tamano, CancellationToken ct);

    Task<string> XmlAsync(Guid uuid, CancellationToken ct);

    Task<string> RepresentacionAsync(Guid uuid, CancellationToken ct);

    /// <summary>Receipts, newest first; a cliente sees only their own (clienteId is ignored for them).</summary>
    Task<Pagina<ReciboEmitido>> RecibosAsync(Usuario u, Guid? clienteId, DateOnly? periodo, int pagina, int tamano, CancellationToken ct);

    /// <summary>The printable copy of a receipt (HTML): folio, customer, lines, amounts and taxes (404 for another customer's).</summary>
    Task<string> ReciboImprimibleAsync(Usuario u, Guid id, CancellationToken ct);
}
