using System.Xml.Linq;

namespace Telecable.Domain.Cfdi;

public sealed record CfdiSellado(string Xml, string CadenaOriginal, string Sello, string NoCertificado);

public static class SelladorCfdi
{
    /// <summary>Fills NoCertificado and Certificado, signs the cadena of the resulting XML and returns the
    /// sealed XML. Refuses what a PAC would reject: another RFC's CSD, or a Fecha outside its validity.</summary>
    public static CfdiSellado Sellar(Comprobante comprobante, CsdCertificate csd)
    {
        if (!string.Equals(comprobante.Emisor.Rfc, csd.Rfc, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"El CSD es de {csd.Rfc} y el emisor es {comprobante.Emisor.Rfc}.");
        }
        if (!csd.EsVigente(FormatoCfdi.InstanteDe(comprobante.Fecha)))
        {
            throw new ArgumentException(
                $"La fecha {FormatoCfdi.Fecha(comprobante.Fecha)} está fuera de la vigencia del CSD {csd.NoCertificado}.");
        }
        var xml = ComprobanteXml.Construir(comprobante with
        {
            NoCertificado = csd.NoCertificado,
            Certificado = csd.CertificadoBase64,
            Sello = null,
        });
        var cadena = CadenaOriginal.Generar(xml);
        var sello = csd.Sellar(cadena);
        xml.Add(new XAttribute("Sello", sello));
        return new CfdiSellado(ComprobanteXml.Serializar(xml), cadena, sello, csd.NoCertificado);
    }
}
