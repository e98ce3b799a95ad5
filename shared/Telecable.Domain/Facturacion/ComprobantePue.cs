using System.Globalization;
using Telecable.Domain.Cfdi;

namespace Telecable.Domain.Facturacion;

/// <summary>
/// A type I, PUE CFDI over concepts whose traslados are already fixed (the global CFDI's receipts, the individual CFDI of a
/// receipt): the comprobante's traslados are their sums by tax and rate (Anexo 20: one per Impuesto and TasaOCuota), and
/// SubTotal, Descuento and Total follow from the concepts. Pure.
/// </summary>
public static class ComprobantePue
{
    public static Comprobante Armar(string serie, long folio, DateTime fecha, string formaPago, string lugarExpedicion, Emisor emisor,
        Receptor receptor, IReadOnlyList<Concepto> conceptos, InformacionGlobal? informacionGlobal = null)
    {
        var traslados = conceptos.SelectMany(c => c.Traslados)
            .GroupBy(t => (t.Impuesto, t.TasaOCuota))
            .OrderBy(g => g.Key.Impuesto, StringComparer.Ordinal).ThenBy(g => g.Key.TasaOCuota)
            .Select(g => new Traslado(g.Sum(t => t.Base), g.Key.Impuesto, CatalogoSat.FactorTasa, g.Key.TasaOCuota, g.Sum(t => t.Importe!.Value)))
            .ToList();
        var trasladados = traslados.Sum(t => t.Importe!.Value);
        var subTotal = conceptos.Sum(c => c.Importe);
        var descuento = conceptos.Sum(c => c.Descuento ?? 0m);
        return new Comprobante
        {
            Serie = serie,
            Folio = folio.ToString(CultureInfo.InvariantCulture),
            Fecha = fecha,
            FormaPago = formaPago,
            MetodoPago = CatalogoSat.MetodoPue,
            SubTotal = subTotal,
            Descuento = descuento > 0m ? descuento : null,
            Total = subTotal - descuento + trasladados,
            TipoDeComprobante = CatalogoSat.TipoIngreso,
            LugarExpedicion = lugarExpedicion,
            InformacionGlobal = informacionGlobal,
            Emisor = emisor,
            Receptor = receptor,
            Conceptos = conceptos,
            Impuestos = new ImpuestosComprobante(null, trasladados, [], traslados),
        };
    }
}
