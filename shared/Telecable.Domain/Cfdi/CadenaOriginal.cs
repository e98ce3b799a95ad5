using System.Text;
using System.Xml.Linq;

namespace Telecable.Domain.Cfdi;

/// <summary>
/// The cadena original exactly as SAT's cadenaoriginal_4_0.xslt (and its utilerias.xslt and Pagos20.xslt)
/// yields it, computed over the XML tree instead of running XSLT: "||" + values in the stylesheet's order
/// separated by "|" + "||", each value whitespace-normalized, optional attributes omitted when absent.
/// Reading the XML (not the model) makes it valid for any CFDI: the PAC uses it to verify foreign XML.
/// </summary>
public static class CadenaOriginal
{
    private static readonly XNamespace C = ComprobanteXml.Cfdi;
    private static readonly XNamespace P = "http://www.sat.gob.mx/Pagos20";

    // Attribute order per stylesheet template; a trailing '?' marks a call to "Opcional".
    private static readonly Campo[] Comprobante = Campos(
        "Version Serie? Folio? Fecha FormaPago? NoCertificado CondicionesDePago? SubTotal Descuento? Moneda " +
        "TipoCambio? Total TipoDeComprobante Exportacion MetodoPago? LugarExpedicion Confirmacion?");
    private static readonly Campo[] InformacionGlobal = Campos("Periodicidad Meses Año");
    private static readonly Campo[] TipoRelacion = Campos("TipoRelacion");
    private static readonly Campo[] Uuid = Campos("UUID");
    private static readonly Campo[] Emisor = Campos("Rfc Nombre RegimenFiscal FacAtrAdquirente?");
    private static readonly Campo[] Receptor = Campos(
        "Rfc Nombre DomicilioFiscalReceptor ResidenciaFiscal? NumRegIdTrib? RegimenFiscalReceptor UsoCFDI");
    private static readonly Campo[] Concepto = Campos(
        "ClaveProdServ NoIdentificacion? Cantidad ClaveUnidad Unidad? Descripcion ValorUnitario Importe Descuento? ObjetoImp");
    private static readonly Campo[] Traslado = Campos("Base Impuesto TipoFactor TasaOCuota? Importe?");
    private static readonly Campo[] Retencion = Campos("Base Impuesto TipoFactor TasaOCuota Importe");
    private static readonly Campo[] ACuentaTerceros = Campos(
        "RfcACuentaTerceros NombreACuentaTerceros RegimenFiscalACuentaTerceros DomicilioFiscalACuentaTerceros");
    private static readonly Campo[] NumeroPedimento = Campos("NumeroPedimento");
    private static readonly Campo[] CuentaPredial = Campos("Numero");
    private static readonly Campo[] Parte = Campos(
        "ClaveProdServ NoIdentificacion? Cantidad Unidad? Descripcion ValorUnitario? Importe?");
    private static readonly Campo[] RetencionGlobal = Campos("Impuesto Importe");
    private static readonly Campo[] TotalRetenidos = Campos("TotalImpuestosRetenidos?");
    private static readonly Campo[] TotalTrasladados = Campos("TotalImpuestosTrasladados?");
    private static readonly Campo[] TimbreFiscal = Campos(
        "Version UUID FechaTimbrado RfcProvCertif Leyenda? SelloCFD NoCertificadoSAT");
    private static readonly Campo[] Pagos = Campos("Version");
    private static readonly Campo[] PagosTotales = Campos(
        "TotalRetencionesIVA? TotalRetencionesISR? TotalRetencionesIEPS? TotalTrasladosBaseIVA16? " +
        "TotalTrasladosImpuestoIVA16? TotalTrasladosBaseIVA8? TotalTrasladosImpuestoIVA8? TotalTrasladosBaseIVA0? " +
        "TotalTrasladosImpuestoIVA0? TotalTrasladosBaseIVAExento? MontoTotalPagos");
    private static readonly Campo[] Pago = Campos(
        "FechaPago FormaDePagoP MonedaP TipoCambioP? Monto NumOperacion? RfcEmisorCtaOrd? NomBancoOrdExt? " +
        "CtaOrdenante? RfcEmisorCtaBen? CtaBeneficiario? TipoCadPago? CertPago? CadPago? SelloPago?");
    private static readonly Campo[] DoctoRelacionado = Campos(
        "IdDocumento Serie? Folio? MonedaDR EquivalenciaDR? NumParcialidad ImpSaldoAnt ImpPagado ImpSaldoInsoluto ObjetoImpDR");
    private static readonly Campo[] RetencionDR = Campos("BaseDR ImpuestoDR TipoFactorDR TasaOCuotaDR ImporteDR");
    private static readonly Campo[] TrasladoDR = Campos("BaseDR ImpuestoDR TipoFactorDR TasaOCuotaDR? ImporteDR?");
    private static readonly Campo[] RetencionP = Campos("ImpuestoP ImporteP");
    private static readonly Campo[] TrasladoP = Campos("BaseP ImpuestoP TipoFactorP TasaOCuotaP? ImporteP?");

    public static string Generar(Comprobante comprobante) => Generar(ComprobanteXml.Construir(comprobante));

    public static string Generar(XElement comprobante)
    {
        if (comprobante.Name != C + "Comprobante")
        {
            throw new ArgumentException($"Se esperaba cfdi:Comprobante y llegó {comprobante.Name}.", nameof(comprobante));
        }
        var sb = new StringBuilder(2048).Append('|');
        Valores(sb, comprobante, Comprobante);
        foreach (var ig in comprobante.Elements(C + "InformacionGlobal"))
        {
            Valores(sb, ig, InformacionGlobal);
        }
        foreach (var rel in comprobante.Elements(C + "CfdiRelacionados"))
        {
            Valores(sb, rel, TipoRelacion);
            Cada(sb, rel.Elements(C + "CfdiRelacionado"), Uuid);
        }
        Cada(sb, comprobante.Elements(C + "Emisor"), Emisor);
        Cada(sb, comprobante.Elements(C + "Receptor"), Receptor);
        foreach (var concepto in comprobante.Elements(C + "Conceptos").Elements(C + "Concepto"))
        {
            ConceptoCadena(sb, concepto);
        }
        foreach (var imp in comprobante.Elements(C + "Impuestos"))
        {
            Cada(sb, imp.Elements(C + "Retenciones").Elements(C + "Retencion"), RetencionGlobal);
            Valores(sb, imp, TotalRetenidos);
            Cada(sb, imp.Elements(C + "Traslados").Elements(C + "Traslado"), Traslado);
            Valores(sb, imp, TotalTrasladados);
        }
        foreach (var complemento in comprobante.Elements(C + "Complemento"))
        {
            Complementos(sb, complemento);
        }
        return sb.Append("||").ToString();
    }

    /// <summary>Cadena of tfd:TimbreFiscalDigital 1.1 (cadenaoriginal_TFD_1_1.xslt), what SelloSAT signs.</summary>
    public static string GenerarTimbre(XElement timbre)
    {
        if (timbre.Name != ComprobanteXml.Tfd + "TimbreFiscalDigital")
        {
            throw new ArgumentException($"Se esperaba tfd:TimbreFiscalDigital y llegó {timbre.Name}.", nameof(timbre));
        }
        var sb = new StringBuilder(512).Append('|');
        Valores(sb, timbre, TimbreFiscal);
        return sb.Append("||").ToString();
    }

    private static void ConceptoCadena(StringBuilder sb, XElement concepto)
    {
        Valores(sb, concepto, Concepto);
        var impuestos = concepto.Elements(C + "Impuestos");
        Cada(sb, impuestos.Elements(C + "Traslados").Elements(C + "Traslado"), Traslado);
        Cada(sb, impuestos.Elements(C + "Retenciones").Elements(C + "Retencion"), Retencion);
        Cada(sb, concepto.Elements(C + "ACuentaTerceros"), ACuentaTerceros);
        Cada(sb, concepto.Elements(C + "InformacionAduanera"), NumeroPedimento);
        Cada(sb, concepto.Elements(C + "CuentaPredial"), CuentaPredial);
        foreach (var complemento in concepto.Elements(C + "ComplementoConcepto"))
        {
            Complementos(sb, complemento);
        }
        // ".//cfdi:Parte" and, inside each, ".//cfdi:InformacionAduanera": descendants, not just children.
        foreach (var parte in concepto.Descendants(C + "Parte"))
        {
            Valores(sb, parte, Parte);
            Cada(sb, parte.Descendants(C + "InformacionAduanera"), NumeroPedimento);
        }
    }

    private static void Complementos(StringBuilder sb, XElement contenedor)
    {
        foreach (var e in contenedor.Elements())
        {
            if (e.Name == P + "Pagos")
            {
                PagosCadena(sb, e);
            }
            else if (e.Name.NamespaceName.StartsWith("http://www.sat.gob.mx/", StringComparison.Ordinal)
                     && e.Name.Namespace != ComprobanteXml.Tfd)
            {
                // The stylesheet includes 32 complement stylesheets; guessing would produce a wrong sello.
                throw new NotSupportedException($"Complemento {e.Name} no soportado en la cadena original.");
            }
            else
            {
                // No template matches (e.g. the TFD): XSLT's built-in rule copies the descendant text nodes.
                sb.Append(e.Value);
            }
        }
    }

    private static void PagosCadena(StringBuilder sb, XElement pagos)
    {
        Valores(sb, pagos, Pagos);
        Cada(sb, pagos.Elements(P + "Totales"), PagosTotales);
        foreach (var pago in pagos.Elements(P + "Pago"))
        {
            Valores(sb, pago, Pago);
            foreach (var docto in pago.Elements(P + "DoctoRelacionado"))
            {
                Valores(sb, docto, DoctoRelacionado);
                var impDr = docto.Elements(P + "ImpuestosDR");
                Cada(sb, impDr.Elements(P + "RetencionesDR").Elements(P + "RetencionDR"), RetencionDR);
                Cada(sb, impDr.Elements(P + "TrasladosDR").Elements(P + "TrasladoDR"), TrasladoDR);
            }
            foreach (var impP in pago.Elements(P + "ImpuestosP"))
            {
                Cada(sb, impP.Elements(P + "RetencionesP").Elements(P + "RetencionP"), RetencionP);
                Cada(sb, impP.Elements(P + "TrasladosP").Elements(P + "TrasladoP"), TrasladoP);
            }
        }
    }

    private static void Cada(StringBuilder sb, IEnumerable<XElement> elementos, Campo[] campos)
    {
        foreach (var e in elementos)
        {
            Valores(sb, e, campos);
        }
    }

    private static void Valores(StringBuilder sb, XElement e, Campo[] campos)
    {
        foreach (var campo in campos)
        {
            var atributo = e.Attribute(campo.Nombre);
            // "Requerido" always writes its '|'; "Opcional" only when the attribute exists (even if empty).
            if (atributo is null && !campo.Requerido)
            {
                continue;
            }
            sb.Append('|');
            if (atributo is not null)
            {
                NormalizeSpace(sb, atributo.Value);
            }
        }
    }

    /// <summary>XPath 1.0 normalize-space: only #x20, #x9, #xD, #xA count as whitespace.</summary>
    private static void NormalizeSpace(StringBuilder sb, string valor)
    {
        var pendiente = false;
        var escrito = false;
        foreach (var ch in valor)
        {
            if (ch is ' ' or '\t' or '\r' or '\n')
            {
                pendiente = escrito;
                continue;
            }
            if (pendiente)
            {
                sb.Append(' ');
                pendiente = false;
            }
            sb.Append(ch);
            escrito = true;
        }
    }

    private readonly record struct Campo(XName Nombre, bool Requerido);

    private static Campo[] Campos(string especificacion) =>
        especificacion.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(s => s.EndsWith('?') ? new Campo(s[..^1], false) : new Campo(s, true))
            .ToArray();
}
