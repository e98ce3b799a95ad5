using System.Text;
using System.Xml.Linq;
using Telecable.Domain.Cfdi;

namespace Telecable.Domain.Tests.Cfdi;

public sealed class CadenaOriginalTests
{
    private const int Cuantas = 220;
    private static readonly string Xslt = SatReferencia.Ruta("xslt", "cadenaoriginal_4_0.xslt");

    [Fact]
    public void Cadena_de_facturas_aleatorias_es_identica_byte_a_byte_a_la_de_xsltproc()
    {
        var carpeta = SatReferencia.CarpetaTemporal();
        var selladas = EscribirSelladas(carpeta);
        foreach (var (_, sellado) in selladas)
        {
            // The cadena read back from the serialized XML is the one that was signed.
            Assert.Equal(sellado.CadenaOriginal, CadenaOriginal.Generar(XDocument.Parse(sellado.Xml).Root!));
        }

        // The random set really contains the cases that break naive cadenas.
        foreach (var caso in new[] { "&amp;", "Ñ", "&quot;", "'", "&lt;", "  ", "&#xA;", "📡", "Descuento=", "Impuesto=\"003\"",
                     "TipoFactor=\"Exento\"", "cfdi:Retencion ", "cfdi:Parte ", "cfdi:ACuentaTerceros", "cfdi:CfdiRelacionado ",
                     "cfdi:InformacionGlobal", "MetodoPago=\"PPD\"", "TipoDeComprobante=\"E\"" })
        {
            Assert.True(selladas.Count(s => s.Sellado.Xml.Contains(caso, StringComparison.Ordinal)) >= 3, caso);
        }

        // One shell, one xsltproc per file: the stylesheet only accepts one document per run.
        var r = SatReferencia.Ejecutar("sh", ["-c", """for f in "$1"/*.xml; do xsltproc "$0" "$f" > "$f.cadena" 2>/dev/null || exit 1; done""", Xslt, carpeta]);
        Assert.True(r.Codigo == 0, r.Error);

        foreach (var (archivo, sellado) in selladas)
        {
            var deXslt = File.ReadAllBytes(archivo + ".cadena");
            Assert.True(deXslt.AsSpan().SequenceEqual(Encoding.UTF8.GetBytes(sellado.CadenaOriginal)),
                $"{archivo}\nxsltproc: {Encoding.UTF8.GetString(deXslt)}\nC#:       {sellado.CadenaOriginal}");
        }
        Directory.Delete(carpeta, recursive: true);
    }

    [Fact]
    public void Xml_de_facturas_aleatorias_valida_contra_el_esquema_del_SAT_y_su_sello_verifica()
    {
        var carpeta = SatReferencia.CarpetaTemporal();
        var selladas = EscribirSelladas(carpeta);
        Assert.All(selladas, s => Assert.True(SelloDigital.Verificar(Facturas.Csd.Certificado, s.Sellado.CadenaOriginal, s.Sellado.Sello)));

        var r = SatReferencia.Ejecutar("xmllint",
            ["--noout", "--nonet", "--schema", SatReferencia.Ruta("xsd", "cfdi40_tfd11.xsd"), .. selladas.Select(s => s.Archivo)]);

        Assert.True(r.Codigo == 0, r.Error);
        Assert.Equal(Cuantas, r.Error.Split('\n').Count(l => l.EndsWith(" validates", StringComparison.Ordinal)));
        Directory.Delete(carpeta, recursive: true);
    }

    [Theory]
    [InlineData("01-eku-test-csd_test-pac_cfdiutils.xml")]
    [InlineData("04-eku-test-csd_pagos20_unstamped_cfdiutils.xml")]
    [InlineData("05-eku-test-csd_usd-discounts_unstamped_cfdiutils.xml")]
    public void Cadena_de_muestras_del_SAT_coincide_con_xsltproc_y_resellarla_reproduce_su_Sello(string muestra)
    {
        var archivo = SatReferencia.Ruta("samples", muestra);
        var raiz = XDocument.Load(archivo, LoadOptions.PreserveWhitespace).Root!;

        var cadena = CadenaOriginal.Generar(raiz);

        Assert.Equal(SatReferencia.Ejecutar("xsltproc", [Xslt, archivo]).Salida, cadena);
        // PKCS#1 v1.5 is deterministic: same key + same cadena = the sample's Sello, byte for byte.
        Assert.Equal((string)raiz.Attribute("Sello")!, Facturas.Csd.Sellar(cadena));
    }

    [Fact]
    public void Cadena_sigue_las_reglas_del_xslt_en_casos_limite()
    {
        // Optional attribute present but empty still writes its '|'; a Requerido missing writes an empty value;
        // tabs/newlines collapse; Partes are found at any depth; unknown non-SAT complements contribute their text.
        const string xml = """
            <cfdi:Comprobante xmlns:cfdi="http://www.sat.gob.mx/cfd/4" xmlns:x="urn:otro" Version="4.0" Serie=""
              Fecha="2026-11-27T10:00:00" SubTotal="1.00" Moneda="MXN" Total="1.16" TipoDeComprobante="I"
              Exportacion="01" LugarExpedicion="86000" NoCertificado="1">
              <cfdi:Emisor Rfc="EKU9003173C9" Nombre="&#9;A&#10;&#10;B &amp;  C " RegimenFiscal="601"/>
              <cfdi:Receptor Rfc="XAXX010101000" Nombre="Ñ" DomicilioFiscalReceptor="86000" RegimenFiscalReceptor="616" UsoCFDI="S01"/>
              <cfdi:Conceptos>
                <cfdi:Concepto ClaveProdServ="1" Cantidad="1" ClaveUnidad="E48" Descripcion=" x " ValorUnitario="1" Importe="1" ObjetoImp="02">
                  <cfdi:CuentaPredial Numero="9"/>
                  <cfdi:Parte ClaveProdServ="2" Cantidad="1" Descripcion="p"><cfdi:InformacionAduanera NumeroPedimento="1  2"/></cfdi:Parte>
                  <cfdi:InformacionAduanera NumeroPedimento="3"/>
                </cfdi:Concepto>
              </cfdi:Conceptos>
              <cfdi:Complemento><x:Otro><x:Texto>  libre  </x:Texto></x:Otro></cfdi:Complemento>
            </cfdi:Comprobante>
            """;
        var carpeta = SatReferencia.CarpetaTemporal();
        var archivo = Path.Combine(carpeta, "limite.xml");
        SatReferencia.EscribirUtf8(archivo, xml);

        var cadena = CadenaOriginal.Generar(XDocument.Parse(xml, LoadOptions.PreserveWhitespace).Root!);

        Assert.Equal(SatReferencia.Ejecutar("xsltproc", [Xslt, archivo]).Salida, cadena);
        Directory.Delete(carpeta, recursive: true);
        Assert.StartsWith("||4.0||2026-11-27T10:00:00|1|1.00|MXN|1.16|I|01|86000|EKU9003173C9|A B & C|601|", cadena);
        Assert.EndsWith("  libre  ||", cadena);
    }

    [Fact]
    public void Comprobante_de_pago_con_Pagos_20_valida_esquema_y_su_cadena_coincide_con_xsltproc()
    {
        var carpeta = SatReferencia.CarpetaTemporal();
        var archivo = Path.Combine(carpeta, "pago.xml");
        var sellado = SelladorCfdi.Sellar(Facturas.Pago(new DateTime(2026, 11, 27, 12, 0, 0)), Facturas.Csd);
        SatReferencia.EscribirUtf8(archivo, sellado.Xml);

        var esquema = SatReferencia.Ejecutar("xmllint", ["--noout", "--nonet", "--schema", SatReferencia.Ruta("xsd", "cfdi40_tfd11.xsd"), archivo]);

        Assert.True(esquema.Codigo == 0, esquema.Error);
        Assert.Equal(SatReferencia.Ejecutar("xsltproc", [Xslt, archivo]).Salida, sellado.CadenaOriginal);
        Assert.Contains("|2.0|12931.04|2068.96|15000.00|", sellado.CadenaOriginal);
        Directory.Delete(carpeta, recursive: true);
    }

    [Fact]
    public void Complemento_SAT_no_soportado_falla_en_vez_de_producir_un_sello_equivocado()
    {
        var raiz = ComprobanteXml.Construir(Facturas.Simple(Facturas.Ahora()));
        raiz.Add(new XElement(ComprobanteXml.Cfdi + "Complemento",
            new XElement(XNamespace.Get("http://www.sat.gob.mx/implocal") + "ImpuestosLocales")));

        Assert.Throws<NotSupportedException>(() => CadenaOriginal.Generar(raiz));
    }

    /// <summary>The same <see cref="Cuantas"/> random invoices every run, sealed and written one file each.</summary>
    private static List<(string Archivo, CfdiSellado Sellado)> EscribirSelladas(string carpeta) =>
        Facturas.Aleatorias(20261127, Cuantas, new DateTime(2026, 11, 27, 9, 30, 15))
            .Select((c, i) =>
            {
                var sellado = SelladorCfdi.Sellar(c, Facturas.Csd);
                var archivo = Path.Combine(carpeta, $"{i:D3}.xml");
                SatReferencia.EscribirUtf8(archivo, sellado.Xml);
                return (archivo, sellado);
            })
            .ToList();
}
