using Telecable.Domain.Comun;

namespace Telecable.Application.Facturacion;

/// <summary>The customer's own fiscal data for the invoice of a receipt (the same fields and rules as the sign-up).</summary>
public sealed record SolicitudFacturaRecibo(string? Rfc, string? Nombre, string? RegimenFiscal, string? UsoCfdi, string? CpFiscal);

/// <summary>The individual CFDI I issued for a receipt (serie and folio of the invoices; the receipt's NV folio beside it).</summary>
public sealed record FacturaDeReciboEmitida(
    Guid Id, Guid ReciboId, string Recibo, Guid? Uuid, string Serie, long Folio, string Rfc, string Nombre, decimal Subtotal, decimal Descuento,
    decimal Iva, decimal Ieps, decimal Total, string FormaPago, string MetodoPago, string Estado, DateTimeOffset CreadoEn, DateTimeOffset? TimbradoEn);

/// <summary>The CFDI, and whether the PAC could not be reached (it stays sealed: the same request, or the timer, stamps that CFDI).</summary>
public sealed record ResultadoFacturaRecibo(FacturaDeReciboEmitida Factura, bool PacNoDisponible);

/// <summary>
/// "A customer who later asks for their own invoice of a receipt" (issue 20; docs/facturacion.md, "Factura de un recibo"): allowed
/// only while no global CFDI reports the receipt. The customer gets their fiscal data from now on, the receipt gets one CFDI I
/// (stamped exactly once: reserve and seal, <see cref="ITimbradoUnico"/>, commit) and the global CFDI leaves it out.
/// </summary>
public interface IServicioFacturaRecibo
{
    /// <summary>Issues (or, for the same <paramref name="clave"/>, resumes) the CFDI of the receipt. 404 for a cliente's request on a
    /// receipt of someone else; 400 naming the field for bad fiscal data; 409 recibo_en_cfdi_global, recibo_facturado (another
    /// request already invoiced it), estado_invalido; 422 when the PAC refuses it (the receipt is released).</summary>
    Task<ResultadoFacturaRecibo> FacturarAsync(Usuario u, Guid reciboId, SolicitudFacturaRecibo s, string clave, string cid, CancellationToken ct);

    /// <summary>Re-sends the CFDIs of receipts left sealed longer than <paramref name="antiguedad"/>; returns how many got stamped.</summary>
    Task<int> ReanudarSelladasAsync(TimeSpan antiguedad, string cid, CancellationToken ct);

    /// <summary>The stamped XML of a receipt's CFDI (404 for another customer's receipt, or none stamped).</summary>
    Task<string> XmlAsync(Usuario u, Guid reciboId, CancellationToken ct);

    /// <summary>Its printable copy (HTML with SAT's QR).</summary>
    Task<string> RepresentacionAsync(Usuario u, Guid reciboId, CancellationToken ct);
}
