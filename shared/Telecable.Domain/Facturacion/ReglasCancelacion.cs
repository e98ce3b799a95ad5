using System.Xml.Linq;
using Telecable.Domain.Cfdi;

namespace Telecable.Domain.Facturacion;

/// <summary>
/// SAT's cancellation rules a request must meet before it reaches the PAC (CFF art. 29-A on cancelling a CFDI; the
/// motives 01-04 and the substitution relation of SAT's cancellation scheme and Anexo 20's c_TipoRelacion). Pure.
/// </summary>
public static class ReglasCancelacion
{
    /// <summary>
    /// Motive 01 ("comprobante emitido con errores con relación") needs a substitute that already exists: a stamped CFDI
    /// of the same receptor whose CfdiRelacionados with TipoRelacion 04 (sustitución de los CFDI previos) name the one
    /// being cancelled. Null when <paramref name="sustituto"/> (its stamped XML) is one; otherwise why not.
    /// </summary>
    public static string? ErrorSustituto(XElement sustituto, string uuidOriginal, string rfcReceptorOriginal)
    {
        var rfc = (string?)sustituto.Element(ComprobanteXml.Cfdi + "Receptor")?.Attribute("Rfc");
        if (!string.Equals(rfc, rfcReceptorOriginal, StringComparison.Ordinal))
            return "El CFDI sustituto debe ser del mismo receptor que el cancelado.";
        var relaciona = sustituto.Elements(ComprobanteXml.Cfdi + "CfdiRelacionados")
            .Where(r => (string?)r.Attribute("TipoRelacion") == CatalogoSat.RelacionSustitucion)
            .Elements(ComprobanteXml.Cfdi + "CfdiRelacionado")
            .Any(r => string.Equals((string?)r.Attribute("UUID"), uuidOriginal, StringComparison.OrdinalIgnoreCase));
        return relaciona ? null : $"El CFDI sustituto debe relacionar al cancelado con TipoRelacion {CatalogoSat.RelacionSustitucion} (sustitución).";
    }

    /// <summary>
    /// A PPD invoice whose payments have complements in force cannot be cancelled: SAT's cancellation of an invoice
    /// with related CFDIs (the type P that name it in DoctoRelacionado) is refused until those are cancelled, and
    /// cancelling them means reversing their payments first. Null when it may be cancelled.
    /// </summary>
    public static string? ErrorComplementosVigentes(IReadOnlyCollection<Guid> complementosVigentes) =>
        complementosVigentes.Count == 0
            ? null
            : $"La factura tiene complementos de pago vigentes ({string.Join(", ", complementosVigentes.Select(u => u.ToString().ToUpperInvariant()))}): " +
              "revierta sus pagos y cancele esos complementos antes de cancelarla.";

    /// <summary>SAT's cancellation motive for "comprobante emitido con errores con relación": only through a substitution.</summary>
    public const string MotivoConRelacion = "01";

    /// <summary>Up to this Total (MXN) a CFDI is cancelled without the receptor's acceptance (RMF regla 2.7.1.34 fr. I, the
    /// rule of CFF art. 29-A, last paragraphs; the rule's number moves between yearly RMFs).</summary>
    public const decimal UmbralSinAceptacion = 1000m;

    /// <summary>Motive 01 is never a bare cancellation here: the substitute has to be issued by the substitution operation
    /// (POST /api/facturacion/{uuid}/sustitucion), which then cancels this CFDI naming it. Null when the motive may go
    /// through a plain cancellation request.</summary>
    public static string? ErrorMotivoDirecto(string? motivo) =>
        motivo == MotivoConRelacion
            ? "El motivo 01 (con relación) solo se usa al sustituir la factura: POST /api/facturacion/{uuid}/sustitucion emite el CFDI " +
              "sustituto (TipoRelacion 04) y cancela éste nombrándolo."
            : null;

    /// <summary>
    /// Whether cancelling needs the receptor's acceptance (CFF art. 29-A; RMF regla 2.7.1.34 lists the CFDIs cancelled
    /// without it). Not needed for: a Total up to 1,000.00 MXN (fr. I); egresos, traslado, nómina and payment complements
    /// (only type I asks); a receptor "público en general" XAXX010101000 (global invoices). The rule's grace period after
    /// issue is not used: asking for acceptance when it was not needed only delays the cancellation, never the reverse.
    /// Example: an invoice of 1,058.27 to XOJI740919U48 needs it; one of 654.82, or a type P, does not.
    /// </summary>
    public static bool RequiereAceptacion(string tipoDeComprobante, decimal total, string rfcReceptor) =>
        tipoDeComprobante == CatalogoSat.TipoIngreso && total > UmbralSinAceptacion
        && !string.Equals(rfcReceptor, Identidad.Rfc.GenericoNacional, StringComparison.OrdinalIgnoreCase);
}
