namespace Telecable.Application.Facturacion;

/// <summary>How a sealed CFDI's trip to the PAC ended.</summary>
public enum ResultadoEstampado
{
    /// <summary>Stamped (first time, or the PAC's original stamp for a resend); its XML is stored as &lt;UUID&gt;.xml.</summary>
    Timbrado,
    /// <summary>The PAC stayed unavailable through the retries: the caller keeps the CFDI sealed for a later resend.</summary>
    PacNoDisponible,
    /// <summary>The PAC refused it for good (Codigo, Mensaje): the caller releases what it reserved.</summary>
    Rechazado,
}

/// <summary>The outcome of <see cref="ITimbradoUnico.TimbrarAsync"/>; Uuid, Blob and TimbradoEn only when Timbrado.</summary>
public sealed record CfdiEstampado(ResultadoEstampado Resultado, Guid? Uuid, string? Blob, DateTimeOffset? TimbradoEn, string? Codigo, string? Mensaje);

/// <summary>
/// The one way to stamp a CFDI exactly once (issue 16), its PAC half. The sequence every issuer follows:
/// 1. reserve: in one transaction, fix the content (folio, Fecha, amounts, what it covers), seal it and store the sealed XML
///    with its state 'sellada', before any PAC call;
/// 2. this port: send that stored XML (retrying a passing outage; a resend of the same XML is answered with the original stamp,
///    307, never a second UUID) and store the stamped XML as &lt;UUID&gt;.xml if absent;
/// 3. commit: record the stamp with <c>WHERE estado = 'sellada'</c> (a second finisher changes nothing), or release the
///    reservation when Rechazado; PacNoDisponible leaves it sealed for a repeat or a timer to resend the same XML.
/// The one retry owner for a passing PAC outage (docs/arquitectura.md, "Stamping: one retry owner"): every issuer goes
/// through it (billing run chunks, substitutes, payment complements, credit notes, the global CFDI); nothing else sends a
/// CFDI to the PAC (TimbradoUnicoTests).
/// </summary>
public interface ITimbradoUnico
{
    /// <param name="blob">Where to store the stamped XML; null: &lt;UUID&gt;.xml (a payment complement keeps its own name).</param>
    Task<CfdiEstampado> TimbrarAsync(string xmlSellado, CancellationToken ct, string? blob = null);
}
