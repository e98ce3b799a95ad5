using System.Xml.Linq;
using Telecable.Domain.Cfdi;
using static Telecable.Domain.Cfdi.ImpuestoLinea;

namespace Telecable.Domain.Tests.Cfdi;

/// <summary>Worked examples computed by hand (shown in the comments).</summary>
public sealed class CalculadoraCfdiTests
{
    private static readonly DateTime Fecha = new(2026, 11, 27, 10, 0, 0);

    [Fact]
    public void Internet_con_IEPS_3_e_IVA_16_incluye_el_IEPS_en_la_base_del_IVA()
    {
        // IEPS 499.00 x 0.03 = 14.97; IVA base 499.00 + 14.97 = 513.97; x 0.16 = 82.2352 -> 82.24
        // Total 499.00 + 14.97 + 82.24 = 596.21
        var c = CalculadoraCfdi.Calcular(Facturas.Datos(Fecha), [Facturas.Linea(1m, 499m, Ieps3, Iva16)]);

        var k = Assert.Single(c.Conceptos);
        Assert.Equal(499.00m, k.Importe);
        Assert.Equal(CatalogoSat.ObjetoSiObjeto, k.ObjetoImp);
        Assert.Equal(
            [new Traslado(513.97m, "002", "Tasa", 0.16m, 82.24m), new Traslado(499.00m, "003", "Tasa", 0.03m, 14.97m)],
            k.Traslados);
        Assert.Equal(499.00m, c.SubTotal);
        Assert.Null(c.Descuento);
        Assert.Equal(97.21m, c.Impuestos!.TotalImpuestosTrasladados);
        Assert.Equal(596.21m, c.Total);
    }

    [Fact]
    public void Descuento_y_valor_unitario_de_seis_decimales_se_redondean_a_centavos()
    {
        // 3 x 33.333333 = 99.999999 -> 100.00; descuento 10.005 -> 10.01 (half away from zero)
        // IVA (100.00 - 10.01) = 89.99 x 0.16 = 14.3984 -> 14.40; Total 100.00 - 10.01 + 14.40 = 104.39
        var linea = Facturas.Linea(3m, 33.333333m, Iva16) with { Descuento = 10.005m };

        var c = CalculadoraCfdi.Calcular(Facturas.Datos(Fecha), [linea]);

        var k = Assert.Single(c.Conceptos);
        Assert.Equal((100.00m, 10.01m), (k.Importe, k.Descuento!.Value));
        Assert.Equal(new Traslado(89.99m, "002", "Tasa", 0.16m, 14.40m), Assert.Single(k.Traslados));
        Assert.Equal((100.00m, 10.01m, 104.39m), (c.SubTotal, c.Descuento!.Value, c.Total));

        var concepto = ComprobanteXml.Construir(c).Descendants(ComprobanteXml.Cfdi + "Concepto").Single();
        Assert.Equal(("3", "33.333333", "100.00", "10.01"), ((string)concepto.Attribute("Cantidad")!,
            (string)concepto.Attribute("ValorUnitario")!, (string)concepto.Attribute("Importe")!, (string)concepto.Attribute("Descuento")!));
        Assert.Equal("0.160000", (string)concepto.Descendants(ComprobanteXml.Cfdi + "Traslado").Single().Attribute("TasaOCuota")!);
    }

    [Fact]
    public void Varios_conceptos_se_agrupan_por_impuesto_factor_y_tasa_y_el_exento_no_suma_impuesto()
    {
        // A: 349.00, IVA 55.84. B: 2 x 150.50 = 301.00, IEPS 9.03, IVA (310.03) 49.6048 -> 49.60. C: 50.00 exento.
        // IVA 16: base 349.00 + 310.03 = 659.03, importe 55.84 + 49.60 = 105.44. IEPS: 301.00 / 9.03.
        // Traslados 114.47; SubTotal 700.00; Total 814.47.
        var c = CalculadoraCfdi.Calcular(Facturas.Datos(Fecha),
        [
            Facturas.Linea(1m, 349m, Iva16), Facturas.Linea(2m, 150.50m, Ieps3, Iva16), Facturas.Linea(1m, 50m, IvaExento),
        ]);

        Assert.Equal(
        [
            new Traslado(50.00m, "002", "Exento", null, null),
            new Traslado(659.03m, "002", "Tasa", 0.16m, 105.44m),
            new Traslado(301.00m, "003", "Tasa", 0.03m, 9.03m),
        ], c.Impuestos!.Traslados);
        Assert.Equal(114.47m, c.Impuestos.TotalImpuestosTrasladados);
        Assert.Equal((700.00m, 814.47m), (c.SubTotal, c.Total));
    }

    [Fact]
    public void El_impuesto_se_redondea_por_concepto_no_sobre_la_suma()
    {
        // Each 10.03 x 0.16 = 1.6048 -> 1.60; three of them 4.80 (rounding the sum 30.09 x 0.16 would give 4.81).
        var c = CalculadoraCfdi.Calcular(Facturas.Datos(Fecha),
            [.. Enumerable.Repeat(Facturas.Linea(1m, 10.03m, Iva16), 3)]);

        Assert.Equal(4.80m, c.Impuestos!.TotalImpuestosTrasladados);
        Assert.Equal(34.89m, c.Total);
    }

    [Fact]
    public void Todo_exento_omite_TotalImpuestosTrasladados_y_sin_impuestos_es_objeto_01()
    {
        var exento = CalculadoraCfdi.Calcular(Facturas.Datos(Fecha), [Facturas.Linea(1m, 100m, IvaExento)]);
        var sinImpuestos = CalculadoraCfdi.Calcular(Facturas.Datos(Fecha), [Facturas.Linea(1m, 100m)]);

        Assert.Null(exento.Impuestos!.TotalImpuestosTrasladados);
        Assert.Equal(100.00m, exento.Total);
        Assert.Null(sinImpuestos.Impuestos);
        Assert.Equal(CatalogoSat.ObjetoNoObjeto, sinImpuestos.Conceptos[0].ObjetoImp);
        Assert.Null(ComprobanteXml.Construir(sinImpuestos).Element(ComprobanteXml.Cfdi + "Impuestos"));
    }

    [Fact]
    public void Pago_de_facturas_PPD_reparte_el_IVA_en_proporcion_a_lo_pagado()
    {
        // Invoice B: 8,620.69 + IVA 1,379.31 = 10,000.00; paying 3,000.00 = 0.3 of it:
        // BaseDR 8,620.69 x 0.3 = 2,586.207 -> 2,586.21; ImporteDR 2,586.21 x 0.16 = 413.7936 -> 413.79.
        // Invoice A paid in full: 10,344.83 / 1,655.17. Totales: 12,931.04 / 2,068.96 / 15,000.00 (= SAT sample 04).
        var c = Facturas.Pago(Fecha);

        Assert.Equal((CatalogoSat.TipoPago, "XXX", 0m, 0m, "CP01"), (c.TipoDeComprobante, c.Moneda, c.SubTotal, c.Total, c.Receptor.UsoCFDI));
        Assert.Null(c.FormaPago);
        Assert.Null(c.MetodoPago);
        var pago = Assert.Single(c.Pagos!.Pagos);
        Assert.Equal(15000.00m, pago.Monto);
        Assert.Equal(new Traslado(2586.21m, "002", "Tasa", 0.16m, 413.79m), Assert.Single(pago.Documentos[1].TrasladosDR));
        Assert.Equal(7000.00m, pago.Documentos[1].ImpSaldoInsoluto);
        Assert.Equal(new Traslado(12931.04m, "002", "Tasa", 0.16m, 2068.96m), Assert.Single(pago.TrasladosP));
        var t = c.Pagos.Totales;
        Assert.Equal((15000.00m, 12931.04m, 2068.96m), (t.MontoTotalPagos, t.TotalTrasladosBaseIVA16!.Value, t.TotalTrasladosImpuestoIVA16!.Value));
        Assert.Null(t.TotalTrasladosBaseIVA0);
    }

    [Fact]
    public void Pago_de_una_factura_PUE_o_mayor_al_saldo_se_rechaza()
    {
        var pue = CalculadoraCfdi.Calcular(Facturas.Datos(Fecha), [Facturas.Linea(1m, 100m, Iva16)]);
        var ppd = CalculadoraCfdi.Calcular(Facturas.Datos(Fecha) with { MetodoPago = "PPD", FormaPago = "99" }, [Facturas.Linea(1m, 100m, Iva16)]);

        Assert.Throws<ArgumentException>(() => CalculadoraPagos.Calcular(Facturas.Datos(Fecha),
            [new PagoAplicado(Fecha, "03", [new DocumentoPagado(pue, Guid.Empty.ToString(), 1, 116m, 116m)])]));
        Assert.Throws<ArgumentException>(() => CalculadoraPagos.Calcular(Facturas.Datos(Fecha),
            [new PagoAplicado(Fecha, "03", [new DocumentoPagado(ppd, Guid.Empty.ToString(), 1, 116m, 116.01m)])]));
    }

    [Theory]
    [InlineData("PPD", "03")]
    [InlineData("PUE", "99")]
    [InlineData("XYZ", "01")]
    public void Metodo_y_forma_de_pago_incompatibles_se_rechazan(string metodo, string forma)
    {
        var datos = Facturas.Datos(Fecha) with { MetodoPago = metodo, FormaPago = forma };

        Assert.Throws<ArgumentException>(() => CalculadoraCfdi.Calcular(datos, [Facturas.Linea(1m, 1m, Iva16)]));
    }

    [Fact]
    public void Descuento_mayor_al_importe_o_sin_conceptos_se_rechaza()
    {
        Assert.Throws<ArgumentException>(() => CalculadoraCfdi.Calcular(Facturas.Datos(Fecha),
            [Facturas.Linea(1m, 10m, Iva16) with { Descuento = 10.01m }]));
        Assert.Throws<ArgumentException>(() => CalculadoraCfdi.Calcular(Facturas.Datos(Fecha), []));
    }

    [Fact]
    public void Xml_lleva_namespace_version_schemaLocation_y_el_orden_de_nodos_del_anexo_20()
    {
        var c = CalculadoraCfdi.Calcular(Facturas.Datos(Fecha) with
        {
            CfdiRelacionados = [new CfdiRelacionados(CatalogoSat.RelacionSustitucion, ["6F35D3B5-3651-5370-BC2C-14CDBE384CD7"])],
            InformacionGlobal = new InformacionGlobal("04", "11", 2026),
        }, [Facturas.Linea(1m, 499m, Iva16)]);

        var xml = ComprobanteXml.Escribir(c);
        var raiz = XDocument.Parse(xml).Root!;

        Assert.StartsWith("<?xml version=\"1.0\" encoding=\"utf-8\"?>", xml);
        Assert.Equal(ComprobanteXml.Cfdi + "Comprobante", raiz.Name);
        Assert.Equal("4.0", (string?)raiz.Attribute("Version"));
        Assert.Equal("2026-11-27T10:00:00", (string?)raiz.Attribute("Fecha"));
        Assert.Equal(ComprobanteXml.SchemaLocationCfdi, (string?)raiz.Attribute(ComprobanteXml.Xsi + "schemaLocation"));
        Assert.Equal(["InformacionGlobal", "CfdiRelacionados", "Emisor", "Receptor", "Conceptos", "Impuestos"],
            raiz.Elements().Select(e => e.Name.LocalName));
    }
}
