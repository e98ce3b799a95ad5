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
}
