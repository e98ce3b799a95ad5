using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using Telecable.Domain.Comun;

namespace Telecable.Domain.Cfdi;

/// <summary>Writes a <see cref="Comprobante"/> as CFDI 4.0 XML. The cadena original is computed from this
/// same XML (<see cref="CadenaOriginal"/>), so what is signed is exactly what is written.</summary>
public static class ComprobanteXml
{
    public static readonly XNamespace Cfdi = "http://www.sat.gob.mx/cfd/4";
    public static readonly XNamespace Xsi = "http://www.w3.org/2001/XMLSchema-instance";
    public static readonly XNamespace Tfd = "http://www.sat.gob.mx/TimbreFiscalDigital";
    public static readonly XNamespace Pago20 = "http://www.sat.gob.mx/Pagos20";
    public const string SchemaLocationCfdi =
        "http://www.sat.gob.mx/cfd/4 http://www.sat.gob.mx/sitio_internet/cfd/4/cfdv40.xsd";
    public const string SchemaLocationPagos =
        "http://www.sat.gob.mx/Pagos20 http://www.sat.gob.mx/sitio_internet/cfd/Pagos/Pagos20.xsd";
    public const string SchemaLocationTfd =
        "http://www.sat.gob.mx/TimbreFiscalDigital http://www.sat.gob.mx/sitio_internet/cfd/TimbreFiscalDigital/TimbreFiscalDigitalv11.xsd";

    private static readonly UTF8Encoding Utf8SinBom = new(encoderShouldEmitUTF8Identifier: false);

    public static string Escribir(Comprobante c) => Serializar(Construir(c));

    public static XElement Construir(Comprobante c)
    {
        var raiz = Atributos(
            new XElement(Cfdi + "Comprobante",
                new XAttribute(XNamespace.Xmlns + "cfdi", Cfdi),
                new XAttribute(XNamespace.Xmlns + "xsi", Xsi),
                new XAttribute(Xsi + "schemaLocation",
                    c.Pagos is null ? SchemaLocationCfdi : SchemaLocationCfdi + " " + SchemaLocationPagos)),
            ("Version", Comprobante.VersionCfdi), ("Serie", c.Serie), ("Folio", c.Folio),
            ("Fecha", FormatoCfdi.Fecha(c.Fecha)), ("FormaPago", c.FormaPago), ("NoCertificado", c.NoCertificado),
            ("Certificado", c.Certificado), ("Sello", c.Sello), ("CondicionesDePago", c.CondicionesDePago),
            ("SubTotal", FormatoCfdi.Importe(c.SubTotal)), ("Descuento", FormatoCfdi.Importe(c.Descuento)),
            ("Moneda", c.Moneda), ("TipoCambio", FormatoCfdi.Cantidad(c.TipoCambio)), ("Total", FormatoCfdi.Importe(c.Total)),
            ("TipoDeComprobante", c.TipoDeComprobante), ("Exportacion", c.Exportacion), ("MetodoPago", c.MetodoPago),
            ("LugarExpedicion", c.LugarExpedicion), ("Confirmacion", c.Confirmacion));

        if (c.InformacionGlobal is { } ig)
        {
            raiz.Add(Elemento("InformacionGlobal",
                ("Periodicidad", ig.Periodicidad), ("Meses", ig.Meses),
                ("Año", ig.Anio.ToString(CultureInfo.InvariantCulture))));
        }
        foreach (var rel in c.CfdiRelacionados)
        {
            var e = Elemento("CfdiRelacionados", ("TipoRelacion", rel.TipoRelacion));
            e.Add(rel.Uuids.Select(u => Elemento("CfdiRelacionado", ("UUID", u))));
            raiz.Add(e);
        }
        raiz.Add(Elemento("Emisor",
            ("Rfc", c.Emisor.Rfc), ("Nombre", c.Emisor.Nombre), ("RegimenFiscal", c.Emisor.RegimenFiscal),
            ("FacAtrAdquirente", c.Emisor.FacAtrAdquirente)));
        var r = c.Receptor;
        raiz.Add(Elemento("Receptor",
            ("Rfc", r.Rfc), ("Nombre", r.Nombre), ("DomicilioFiscalReceptor", r.DomicilioFiscalReceptor),
            ("ResidenciaFiscal", r.ResidenciaFiscal), ("NumRegIdTrib", r.NumRegIdTrib),
            ("RegimenFiscalReceptor", r.RegimenFiscalReceptor), ("UsoCFDI", r.UsoCFDI)));
        raiz.Add(new XElement(Cfdi + "Conceptos", c.Conceptos.Select(ConceptoXml)));
        if (c.Impuestos is { } imp)
        {
            raiz.Add(ImpuestosXml(imp));
        }
        if (c.Pagos is { } pagos)
        {
            raiz.SetAttributeValue(XNamespace.Xmlns + "pago20", Pago20);
            raiz.Add(new XElement(Cfdi + "Complemento", PagosXml(pagos)));
        }
        return raiz;
    }

    /// <summary>UTF-8 text with its XML declaration, indented.</summary>
    public static string Serializar(XElement raiz)
    {
        using var ms = new MemoryStream();
        using (var w = XmlWriter.Create(ms, new XmlWriterSettings { Encoding = Utf8SinBom, Indent = true }))
        {
            new XDocument(raiz).Save(w);
        }
        return Utf8SinBom.GetString(ms.GetBuffer(), 0, (int)ms.Length);
    }

    private static XElement ConceptoXml(Concepto k)
    {
        var e = Elemento("Concepto",
            ("ClaveProdServ", k.ClaveProdServ), ("NoIdentificacion", k.NoIdentificacion),
            ("Cantidad", FormatoCfdi.Cantidad(k.Cantidad)), ("ClaveUnidad", k.ClaveUnidad), ("Unidad", k.Unidad),
            ("Descripcion", k.Descripcion), ("ValorUnitario", FormatoCfdi.ValorUnitario(k.ValorUnitario)),
            ("Importe", FormatoCfdi.Importe(k.Importe)), ("Descuento", FormatoCfdi.Importe(k.Descuento)),
            ("ObjetoImp", k.ObjetoImp));
        if (k.Traslados.Count > 0 || k.Retenciones.Count > 0)
        {
            var imp = new XElement(Cfdi + "Impuestos");
            if (k.Traslados.Count > 0)
            {
                imp.Add(new XElement(Cfdi + "Traslados", k.Traslados.Select(TrasladoXml)));
            }
            if (k.Retenciones.Count > 0)
            {
                imp.Add(new XElement(Cfdi + "Retenciones", k.Retenciones.Select(x => Elemento("Retencion",
                    ("Base", FormatoCfdi.Importe(x.Base)), ("Impuesto", x.Impuesto), ("TipoFactor", x.TipoFactor),
                    ("TasaOCuota", FormatoCfdi.Tasa(x.TasaOCuota)), ("Importe", FormatoCfdi.Importe(x.Importe))))));
            }
            e.Add(imp);
        }
        if (k.ACuentaTerceros is { } t)
        {
            e.Add(Elemento("ACuentaTerceros",
                ("RfcACuentaTerceros", t.Rfc), ("NombreACuentaTerceros", t.Nombre),
                ("RegimenFiscalACuentaTerceros", t.RegimenFiscal), ("DomicilioFiscalACuentaTerceros", t.DomicilioFiscal)));
        }
        e.Add(Pedimentos(k.InformacionAduanera));
        e.Add(k.CuentaPredial.Select(n => Elemento("CuentaPredial", ("Numero", n))));
        foreach (var p in k.Partes)
        {
            var parte = Elemento("Parte",
                ("ClaveProdServ", p.ClaveProdServ), ("NoIdentificacion", p.NoIdentificacion),
                ("Cantidad", FormatoCfdi.Cantidad(p.Cantidad)), ("Unidad", p.Unidad), ("Descripcion", p.Descripcion),
                ("ValorUnitario", FormatoCfdi.ValorUnitario(p.ValorUnitario)), ("Importe", FormatoCfdi.Importe(p.Importe)));
            parte.Add(Pedimentos(p.InformacionAduanera ?? []));
            e.Add(parte);
        }
        return e;
    }

    private static XElement ImpuestosXml(ImpuestosComprobante imp)
    {
        var e = Elemento("Impuestos",
            ("TotalImpuestosRetenidos", FormatoCfdi.Importe(imp.TotalImpuestosRetenidos)),
            ("TotalImpuestosTrasladados", FormatoCfdi.Importe(imp.TotalImpuestosTrasladados)));
        // Schema order: Retenciones before Traslados.
        if (imp.Retenciones.Count > 0)
        {
            e.Add(new XElement(Cfdi + "Retenciones", imp.Retenciones.Select(x => Elemento("Retencion",
                ("Impuesto", x.Impuesto), ("Importe", FormatoCfdi.Importe(x.Importe))))));
        }
        if (imp.Traslados.Count > 0)
        {
            e.Add(new XElement(Cfdi + "Traslados", imp.Traslados.Select(TrasladoXml)));
        }
        return e;
    }

    private static XElement PagosXml(ComplementoPagos pagos)
    {
        var t = pagos.Totales;
        return Elemento(Pago20 + "Pagos", ("Version", ComplementoPagos.Version))
            .Con(Elemento(Pago20 + "Totales",
                ("TotalTrasladosBaseIVA16", FormatoCfdi.Importe(t.TotalTrasladosBaseIVA16)),
                ("TotalTrasladosImpuestoIVA16", FormatoCfdi.Importe(t.TotalTrasladosImpuestoIVA16)),
                ("TotalTrasladosBaseIVA8", FormatoCfdi.Importe(t.TotalTrasladosBaseIVA8)),
                ("TotalTrasladosImpuestoIVA8", FormatoCfdi.Importe(t.TotalTrasladosImpuestoIVA8)),
                ("TotalTrasladosBaseIVA0", FormatoCfdi.Importe(t.TotalTrasladosBaseIVA0)),
                ("TotalTrasladosImpuestoIVA0", FormatoCfdi.Importe(t.TotalTrasladosImpuestoIVA0)),
                ("TotalTrasladosBaseIVAExento", FormatoCfdi.Importe(t.TotalTrasladosBaseIVAExento)),
                ("MontoTotalPagos", FormatoCfdi.Importe(t.MontoTotalPagos))))
            .Con(pagos.Pagos.Select(p => Elemento(Pago20 + "Pago",
                    ("FechaPago", FormatoCfdi.Fecha(p.FechaPago)), ("FormaDePagoP", p.FormaDePagoP), ("MonedaP", p.MonedaP),
                    ("TipoCambioP", FormatoCfdi.Cantidad(p.TipoCambioP)), ("Monto", FormatoCfdi.Importe(p.Monto)),
                    ("NumOperacion", p.NumOperacion))
                .Con(p.Documentos.Select(DoctoXml))
                .Con(p.TrasladosP.Count == 0 ? null : Elemento(Pago20 + "ImpuestosP").Con(Elemento(Pago20 + "TrasladosP")
                    .Con(p.TrasladosP.Select(x => Elemento(Pago20 + "TrasladoP",
                        ("BaseP", FormatoCfdi.Importe(x.Base)), ("ImpuestoP", x.Impuesto), ("TipoFactorP", x.TipoFactor),
                        ("TasaOCuotaP", FormatoCfdi.Tasa(x.TasaOCuota)), ("ImporteP", FormatoCfdi.Importe(x.Importe)))))))));
    }

    private static XElement DoctoXml(DoctoRelacionado d) => Elemento(Pago20 + "DoctoRelacionado",
            ("IdDocumento", d.IdDocumento), ("Serie", d.Serie), ("Folio", d.Folio), ("MonedaDR", d.MonedaDR),
            ("EquivalenciaDR", FormatoCfdi.Cantidad(d.EquivalenciaDR)),
            ("NumParcialidad", d.NumParcialidad.ToString(CultureInfo.InvariantCulture)),
            ("ImpSaldoAnt", FormatoCfdi.Importe(d.ImpSaldoAnt)), ("ImpPagado", FormatoCfdi.Importe(d.ImpPagado)),
            ("ImpSaldoInsoluto", FormatoCfdi.Importe(d.ImpSaldoInsoluto)), ("ObjetoImpDR", d.ObjetoImpDR))
        .Con(d.TrasladosDR.Count == 0 ? null : Elemento(Pago20 + "ImpuestosDR").Con(Elemento(Pago20 + "TrasladosDR")
            .Con(d.TrasladosDR.Select(x => Elemento(Pago20 + "TrasladoDR",
                ("BaseDR", FormatoCfdi.Importe(x.Base)), ("ImpuestoDR", x.Impuesto), ("TipoFactorDR", x.TipoFactor),
                ("TasaOCuotaDR", FormatoCfdi.Tasa(x.TasaOCuota)), ("ImporteDR", FormatoCfdi.Importe(x.Importe)))))));

    /// <summary>XElement.Add that returns the element, to build nested nodes as one expression.</summary>
    private static XElement Con(this XElement e, object? contenido)
    {
        e.Add(contenido);
        return e;
    }

    private static XElement TrasladoXml(Traslado x) => Elemento("Traslado",
        ("Base", FormatoCfdi.Importe(x.Base)), ("Impuesto", x.Impuesto), ("TipoFactor", x.TipoFactor),
        ("TasaOCuota", FormatoCfdi.Tasa(x.TasaOCuota)), ("Importe", FormatoCfdi.Importe(x.Importe)));

    private static IEnumerable<XElement> Pedimentos(IEnumerable<string> numeros) =>
        numeros.Select(n => Elemento("InformacionAduanera", ("NumeroPedimento", n)));

    private static XElement Elemento(string nombre, params ReadOnlySpan<(string Nombre, string? Valor)> atributos) =>
        Atributos(new XElement(Cfdi + nombre), atributos);

    private static XElement Elemento(XName nombre, params ReadOnlySpan<(string Nombre, string? Valor)> atributos) =>
        Atributos(new XElement(nombre), atributos);

    // Absent optional values are omitted, never written empty (the stylesheet would emit "|" for them).
    private static XElement Atributos(XElement e, params ReadOnlySpan<(string Nombre, string? Valor)> atributos)
    {
        foreach (var (nombre, valor) in atributos)
        {
            if (valor is not null)
            {
                e.Add(new XAttribute(nombre, valor));
            }
        }
        return e;
    }
}

/// <summary>Invariant-culture formats with the decimals SAT expects.</summary>
public static class FormatoCfdi
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Fecha(DateTime fecha) => fecha.ToString("yyyy-MM-ddTHH:mm:ss", Inv);

    /// <summary>MXN amounts: two decimals.</summary>
    public static string Importe(decimal valor) => valor.ToString("0.00", Inv);

    public static string? Importe(decimal? valor) => valor is { } v ? Importe(v) : null;

    public static string? Tasa(decimal? valor) => valor?.ToString("0.000000", Inv);

    public static string? Cantidad(decimal? valor) => valor?.ToString("0.######", Inv);

    /// <summary>Unit prices keep up to six decimals (allowed by t_Importe), at least two.</summary>
    public static string? ValorUnitario(decimal? valor) => valor?.ToString("0.00####", Inv);

    /// <summary>Wall-clock time in central Mexico (see <see cref="RelojMexico"/>), to the second.</summary>
    public static DateTime HoraMexico(DateTimeOffset instante)
    {
        var local = RelojMexico.Ahora(instante);
        return new DateTime(local.Ticks - local.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Unspecified);
    }

    /// <summary>The instant a CFDI's Fecha denotes.</summary>
    public static DateTimeOffset InstanteDe(DateTime fechaMexico) => RelojMexico.Instante(fechaMexico);
}
