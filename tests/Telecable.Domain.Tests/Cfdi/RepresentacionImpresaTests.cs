using System.Xml.Linq;
using Telecable.Domain.Cfdi;
using Telecable.Domain.Facturacion;
using Telecable.Infrastructure.Facturacion;
using Telecable.Infrastructure.Pac;

namespace Telecable.Domain.Tests.Cfdi;

/// <summary>The printable copy: the TFD cadena is the one builder's (Leyenda included when the PAC puts one), the
/// Leyenda is shown, and the QR carries tt without non-significant zeros.</summary>
public sealed class RepresentacionImpresaTests
{
    private static async Task<XDocument> TimbradoAsync(Comprobante c)
    {
        using var sat = CertificadoSatEmulado.Crear();
        var r = await new PacEmulado(new PacEmuladoOptions(), sat).TimbrarAsync(SelladorCfdi.Sellar(c, Facturas.Csd).Xml, CancellationToken.None);
        Assert.True(r.Exitoso, r.Mensaje);
        return XDocument.Parse(r.XmlTimbrado!);
    }

    private static XElement Tfd(XDocument d) => d.Root!.Element(ComprobanteXml.Cfdi + "Complemento")!.Element(ComprobanteXml.Tfd + "TimbreFiscalDigital")!;

    [Fact]
    public async Task La_cadena_del_TFD_sale_del_constructor_unico_y_la_Leyenda_se_muestra()
    {
        var doc = await TimbradoAsync(Facturas.Simple(Facturas.Ahora()));
        // A PAC may add the optional Leyenda (TFD 1.1); it is part of the TFD cadena, between RfcProvCertif and SelloCFD.
        Tfd(doc).SetAttributeValue("Leyenda", "Leyenda del PAC & <prueba>");

        var html = RepresentacionImpresa.Html(doc.ToString(SaveOptions.DisableFormatting));

        var cadena = CadenaOriginal.GenerarTimbre(Tfd(doc));
        Assert.Contains("|Leyenda del PAC & <prueba>|", cadena);
        Assert.Contains("Leyenda del PAC &amp; &lt;prueba&gt;|", html);
        Assert.Contains("<b>Leyenda:</b> Leyenda del PAC &amp; &lt;prueba&gt;", html);
        Assert.Contains(System.Text.Encodings.Web.HtmlEncoder.Create(System.Text.Unicode.UnicodeRanges.All).Encode(cadena), html);
    }

    [Fact]
    public async Task Sin_Leyenda_no_hay_renglon_y_el_QR_lleva_tt_sin_ceros_no_significativos()
    {
        var c = Facturas.Simple(Facturas.Ahora());
        var doc = await TimbradoAsync(c);

        var html = RepresentacionImpresa.Html(doc.ToString(SaveOptions.DisableFormatting));

        Assert.DoesNotContain("Leyenda:", html);
        Assert.Contains(System.Text.Encodings.Web.HtmlEncoder.Create(System.Text.Unicode.UnicodeRanges.All).Encode(CadenaOriginal.GenerarTimbre(Tfd(doc))), html);
        Assert.Contains($"&amp;tt={VerificacionSat.Total(c.Total)}&amp;fe=", html);
        Assert.DoesNotContain("&amp;tt=0000", html);
    }

    [Fact]
    public async Task Un_complemento_de_pago_se_imprime_con_sus_documentos_e_impuestos()
    {
        var doc = await TimbradoAsync(Facturas.Pago(Facturas.Ahora()));

        var html = RepresentacionImpresa.Html(doc.ToString(SaveOptions.DisableFormatting));

        Assert.Contains("<h1>Complemento de pago P-77</h1>", html);
        Assert.Contains("00000000-1111-2222-3333-00000000000B", html);
        Assert.Contains("IVA Tasa 0.160000: 2586.21 / 413.79", html);
        Assert.Contains("&amp;tt=0.0&amp;", html);
    }
}
