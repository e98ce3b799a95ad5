using System.Globalization;
using System.Text;
using System.Xml.Linq;
using QRCoder;
using Telecable.Domain.Cfdi;
using Telecable.Domain.Facturacion;

namespace Telecable.Infrastructure.Facturacion;

/// <summary>
/// The printable copy ("representación impresa") of a stamped CFDI, read from its XML: an invoice (I/E) with its
/// concepts and taxes, or a payment complement (P) with each payment and related document; seals, the TFD cadena,
/// and SAT's verification QR as an inline PNG. One renderer for every CFDI type the project emits.
/// </summary>
public static class RepresentacionImpresa
{
    private static readonly XNamespace Cfdi = ComprobanteXml.Cfdi;
    private static readonly XNamespace P = ComprobanteXml.Pago20;

    public static string Html(string xmlTimbrado)
    {
        var xml = XDocument.Parse(xmlTimbrado).Root!;
        var em = xml.Element(Cfdi + "Emisor")!;
        var re = xml.Element(Cfdi + "Receptor")!;
        var tfd = xml.Element(Cfdi + "Complemento")!.Element(ComprobanteXml.Tfd + "TimbreFiscalDigital")!;
        var total = decimal.Parse((string)xml.Attribute("Total")!, CultureInfo.InvariantCulture);
        var url = VerificacionSat.Url((string)tfd.Attribute("UUID")!, (string)em.Attribute("Rfc")!, (string)re.Attribute("Rfc")!, total, (string)xml.Attribute("Sello")!);
        using var qr = new QRCodeGenerator();
        var png = new PngByteQRCode(qr.CreateQrCode(url, QRCodeGenerator.ECCLevel.M)).GetGraphic(4);
        var pagos = xml.Element(Cfdi + "Complemento")!.Element(P + "Pagos");
        var titulo = pagos is not null ? "Complemento de pago" : (string?)xml.Attribute("TipoDeComprobante") == "E" ? "Nota de crédito" : "Factura";
        var h = new StringBuilder();
        h.Append($"""
            <!doctype html><html lang="es"><head><meta charset="utf-8"><title>{titulo} {A(xml, "Serie")}-{A(xml, "Folio")}</title>
            {Estilo}</head><body>
            <h1>{titulo} {A(xml, "Serie")}-{A(xml, "Folio")}</h1>
            <p><b>Emisor:</b> {A(em, "Nombre")} — RFC {A(em, "Rfc")} — Régimen {A(em, "RegimenFiscal")} — Lugar de expedición {A(xml, "LugarExpedicion")}</p>
            <p><b>Receptor:</b> {A(re, "Nombre")} — RFC {A(re, "Rfc")} — Régimen {A(re, "RegimenFiscalReceptor")} — CP {A(re, "DomicilioFiscalReceptor")} — Uso CFDI {A(re, "UsoCFDI")}</p>
            <p><b>Folio fiscal (UUID):</b> {A(tfd, "UUID")} — <b>Fecha:</b> {A(xml, "Fecha")} — <b>Timbrado:</b> {A(tfd, "FechaTimbrado")}
            — <b>Tipo:</b> {A(xml, "TipoDeComprobante")} — <b>Método:</b> {A(xml, "MetodoPago")} — <b>Forma:</b> {A(xml, "FormaPago")} — <b>Moneda:</b> {A(xml, "Moneda")}
            — <b>Exportación:</b> {A(xml, "Exportacion")}</p>
            {Relacionados(xml)}<table><tr><th>Clave</th><th>Unidad</th><th>Descripción</th><th>Cantidad</th><th>Valor unitario</th><th>Descuento</th><th>Importe</th><th>Objeto imp.</th></tr>
            """);
        foreach (var c in xml.Element(Cfdi + "Conceptos")!.Elements(Cfdi + "Concepto"))
        {
            h.Append($"<tr><td>{A(c, "ClaveProdServ")}</td><td>{A(c, "ClaveUnidad")}</td><td>{A(c, "Descripcion")}</td><td class=d>{A(c, "Cantidad")}</td>" +
                     $"<td class=d>{A(c, "ValorUnitario")}</td><td class=d>{A(c, "Descuento")}</td><td class=d>{A(c, "Importe")}</td><td>{A(c, "ObjetoImp")}</td></tr>");
        }
        h.Append("</table><table style=\"width:auto;margin-top:1em\">");
        h.Append($"<tr><th>Subtotal</th><td class=d>{A(xml, "SubTotal")}</td></tr><tr><th>Descuento</th><td class=d>{A(xml, "Descuento")}</td></tr>");
        foreach (var t in xml.Element(Cfdi + "Impuestos")?.Element(Cfdi + "Traslados")?.Elements(Cfdi + "Traslado") ?? [])
        {
            h.Append($"<tr><th>{Impuesto(t, "Impuesto")} {A(t, "TasaOCuota")}</th><td class=d>{A(t, "Importe")}</td></tr>");
        }
        h.Append($"<tr><th>Total</th><td class=d><b>{A(xml, "Total")}</b></td></tr></table>");
        if (pagos is not null) Pagos(h, pagos);
        h.Append($"""
            <p><img alt="QR de verificación SAT" width="160" height="160" src="data:image/png;base64,{Convert.ToBase64String(png)}"></p>
            <p>Verificación: <a href="{Codificador.Encode(url)}">{Codificador.Encode(url)}</a></p>
            <p><b>No. de certificado del emisor:</b> {A(xml, "NoCertificado")} — <b>No. de certificado SAT:</b> {A(tfd, "NoCertificadoSAT")} — <b>RFC PAC:</b> {A(tfd, "RfcProvCertif")}</p>
            <p><b>Sello digital del CFDI:</b></p><p class=s>{A(xml, "Sello")}</p>
            <p><b>Sello del SAT:</b></p><p class=s>{A(tfd, "SelloSAT")}</p>
            {(tfd.Attribute("Leyenda") is null ? "" : $"<p><b>Leyenda:</b> {A(tfd, "Leyenda")}</p>")}
            <p><b>Cadena original del complemento de certificación digital del SAT:</b></p>
            <p class=s>{Codificador.Encode(CadenaOriginal.GenerarTimbre(tfd))}</p>
            <p>Este documento es una representación impresa de un CFDI.</p></body></html>
            """);
        return h.ToString();
    }

    /// <summary>CfdiRelacionados: the relation type and the UUIDs (a credit note names the invoice it credits).</summary>
    private static string Relacionados(XElement xml) => string.Concat(xml.Elements(Cfdi + "CfdiRelacionados").Select(r =>
        $"<p><b>CFDI relacionados (tipo de relación {A(r, "TipoRelacion")}):</b> " +
        string.Join(", ", r.Elements(Cfdi + "CfdiRelacionado").Select(c => A(c, "UUID"))) + "</p>"));

    /// <summary>Pagos 2.0: each payment, and for each related document what was paid and its taxes.</summary>
    private static void Pagos(StringBuilder h, XElement pagos)
    {
        var t = pagos.Element(P + "Totales");
        h.Append($"<h2>Pagos</h2><p><b>Monto total de pagos:</b> {A(t, "MontoTotalPagos")} — <b>IVA 16 % base / impuesto:</b> " +
                 $"{A(t, "TotalTrasladosBaseIVA16")} / {A(t, "TotalTrasladosImpuestoIVA16")}</p>");
        foreach (var p in pagos.Elements(P + "Pago"))
        {
            h.Append($"<p><b>Fecha de pago:</b> {A(p, "FechaPago")} — <b>Forma:</b> {A(p, "FormaDePagoP")} — <b>Moneda:</b> {A(p, "MonedaP")} — " +
                     $"<b>Monto:</b> {A(p, "Monto")} — <b>No. de operación:</b> {A(p, "NumOperacion")}</p>");
            h.Append("<table><tr><th>Documento relacionado</th><th>Serie-Folio</th><th>Parcialidad</th><th>Saldo anterior</th><th>Pagado</th><th>Saldo insoluto</th><th>Impuestos (base / importe)</th></tr>");
            foreach (var d in p.Elements(P + "DoctoRelacionado"))
            {
                var impuestos = string.Join("<br>", d.Descendants(P + "TrasladoDR").Select(x =>
                    $"{Impuesto(x, "ImpuestoDR")} {A(x, "TipoFactorDR")} {A(x, "TasaOCuotaDR")}: {A(x, "BaseDR")} / {A(x, "ImporteDR")}"));
                h.Append($"<tr><td>{A(d, "IdDocumento")}</td><td>{A(d, "Serie")}-{A(d, "Folio")}</td><td class=d>{A(d, "NumParcialidad")}</td>" +
                         $"<td class=d>{A(d, "ImpSaldoAnt")}</td><td class=d>{A(d, "ImpPagado")}</td><td class=d>{A(d, "ImpSaldoInsoluto")}</td><td>{impuestos}</td></tr>");
            }
            h.Append("</table>");
        }
    }

    private static string Impuesto(XElement e, string atributo) => (string?)e.Attribute(atributo) switch
    {
        CatalogoSat.ImpuestoIeps => "IEPS",
        CatalogoSat.ImpuestoIsr => "ISR",
        _ => "IVA",
    };

    private static string A(XElement? e, string n) => Codificador.Encode((string?)e?.Attribute(n) ?? "");

    // Escapes markup only: names with Ñ and accents stay readable in the page source.
    private static readonly System.Text.Encodings.Web.HtmlEncoder Codificador = System.Text.Encodings.Web.HtmlEncoder.Create(System.Text.Unicode.UnicodeRanges.All);

    private const string Estilo = """
        <style>body{font-family:sans-serif;font-size:12px;margin:2em}table{border-collapse:collapse;width:100%}td,th{border:1px solid #999;padding:4px}
        .d{text-align:right}.s{word-break:break-all;font-family:monospace;font-size:10px}@media print{body{margin:0}}</style>
        """;
}
