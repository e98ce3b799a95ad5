using System.Xml.Linq;
using Telecable.Domain.Cfdi;
using Telecable.Domain.Facturacion;
using Telecable.Domain.Tests.Cfdi;
using Telecable.Infrastructure.Pac;

namespace Telecable.Domain.Tests.Facturacion;

/// <summary>Issue 20: receipts' amounts and the global CFDI to XAXX010101000 (Anexo 20 InformacionGlobal, one concept per
/// receipt), its deadline and the rule for invoicing a receipt individually; the CFDI through SAT's verify.sh.</summary>
public sealed class CfdiGlobalTests
{
    private static readonly XNamespace C = "http://www.sat.gob.mx/cfd/4";

    // A bundle receipt: TV 150.00 with IEPS 3 %, internet 410.00 with a 10.00 discount (IVA only).
    private static readonly LineaRecibo[] Paquete = [new(150.00m, 0m, 0.03m), new(410.00m, 10.00m, 0m)];

    [Fact]
    public void Un_recibo_calcula_sus_impuestos_una_vez_por_recibo()
    {
        var r = ReglasCfdiGlobal.Importes(Paquete);
        Assert.Equal((560.00m, 10.00m), (r.Importe, r.Descuento));
        Assert.Equal((0.03m, 150.00m, 4.50m), Assert.Single(r.Ieps));
        Assert.Equal((554.50m, 88.72m), (r.BaseIva, r.Iva)); // (550.00 + 4.50) x 16 %
        Assert.Equal(643.22m, r.Total);
        // Per receipt, not per line: three lines of 0.03 each round to 0.00 of IVA per line, but 0.01 for the receipt.
        Assert.Equal(0.01m, ReglasCfdiGlobal.Importes([new(0.03m, 0m, 0m), new(0.03m, 0m, 0m), new(0.03m, 0m, 0m)]).Iva);
    }

    [Fact]
    public void Sin_rfc_propio_se_factura_con_recibo()
    {
        Assert.True(ReglasCfdiGlobal.FacturaConRecibo("XAXX010101000"));
        Assert.True(ReglasCfdiGlobal.FacturaConRecibo(null));
        Assert.True(ReglasCfdiGlobal.FacturaConRecibo(" xexx010101000 "));
        Assert.False(ReglasCfdiGlobal.FacturaConRecibo("EKU9003173C9"));
    }

    [Fact]
    public void El_plazo_es_de_24_horas_tras_el_cierre_del_mes()
    {
        var octubre = new DateOnly(2026, 10, 1);
        Assert.False(ReglasCfdiGlobal.Cerrado(octubre, new DateOnly(2026, 10, 31)));
        Assert.True(ReglasCfdiGlobal.Cerrado(octubre, new DateOnly(2026, 11, 1)));
        Assert.False(ReglasCfdiGlobal.FueraDePlazo(octubre, new DateTime(2026, 11, 1, 23, 59, 59)));
        Assert.True(ReglasCfdiGlobal.FueraDePlazo(octubre, new DateTime(2026, 11, 2, 0, 0, 0)));
        Assert.Equal(new InformacionGlobal("04", "10", 2026), ReglasCfdiGlobal.Mensual(octubre));
        Assert.Equal(new InformacionGlobal("04", "01", 2027), ReglasCfdiGlobal.Mensual(new DateOnly(2027, 1, 1)));
    }

    [Fact]
    public void Un_recibo_se_factura_aparte_solo_mientras_no_esta_en_un_cfdi_global()
    {
        Assert.Null(ReglasCfdiGlobal.MotivoNoFacturable(TiposDocumento.Recibo, EstadosFactura.Pagada, incluidoEnGlobal: false));
        Assert.Contains("CFDI global", ReglasCfdiGlobal.MotivoNoFacturable(TiposDocumento.Recibo, EstadosFactura.Timbrada, incluidoEnGlobal: true));
        Assert.NotNull(ReglasCfdiGlobal.MotivoNoFacturable(TiposDocumento.Cfdi, EstadosFactura.Timbrada, incluidoEnGlobal: false));
        Assert.NotNull(ReglasCfdiGlobal.MotivoNoFacturable(TiposDocumento.Recibo, EstadosFactura.Cancelada, incluidoEnGlobal: false));
    }

    private static Comprobante Global(IEnumerable<ReciboGlobal> recibos) => ReglasCfdiGlobal.Armar("G", 7, Facturas.Ahora(), "64000",
        new Emisor(Facturas.Csd.Rfc, "ESCUELA KEMPER URGATE", "601"), new DateOnly(2026, 10, 1), "01", recibos);

    [Fact]
    public void El_cfdi_global_lleva_un_concepto_por_recibo_y_suma_sus_impuestos()
    {
        var recibos = Enumerable.Range(1, 3).Select(i => new ReciboGlobal("NV", i, ReglasCfdiGlobal.Importes(i == 2 ? Paquete : [new(430m, 0m, 0m)]))).ToList();
        var c = Global(recibos);
        Assert.Equal(("XAXX010101000", "PUBLICO EN GENERAL", "64000", "616", "S01"),
            (c.Receptor.Rfc, c.Receptor.Nombre, c.Receptor.DomicilioFiscalReceptor, c.Receptor.RegimenFiscalReceptor, c.Receptor.UsoCFDI));
        Assert.Equal(["NV-1", "NV-2", "NV-3"], c.Conceptos.Select(k => k.NoIdentificacion));
        Assert.All(c.Conceptos, k => Assert.Equal(("01010101", "ACT", 1m), (k.ClaveProdServ, k.ClaveUnidad, k.Cantidad)));
        Assert.Equal(recibos.Sum(r => r.Importes.Total), c.Total);
        Assert.Equal(("PUE", "01", 10.00m), (c.MetodoPago, c.FormaPago, c.Descuento));
        Assert.Equal(4.50m, c.Impuestos!.Traslados.Single(t => t.Impuesto == "003").Importe);
        Assert.Throws<ArgumentException>(() => Global([]));
        Assert.Throws<ArgumentException>(() => ReglasCfdiGlobal.Armar("G", 1, Facturas.Ahora(), "64000", new Emisor(Facturas.Csd.Rfc, "X", "601"),
            new DateOnly(2026, 10, 1), "99", recibos));
    }

    [Fact]
    public async Task El_cfdi_global_sellado_y_timbrado_pasa_verify_sh()
    {
        using var verificable = SatReferencia.NuevoPacVerificable();
        var (_, pac, carpeta, certificados, cfdis) = verificable;
        var recibos = Enumerable.Range(1, 250).Select(i => new ReciboGlobal("NV", i, ReglasCfdiGlobal.Importes(
            (i % 3) switch { 0 => Paquete, 1 => [new(430m, 0m, 0m)], _ => [new(0.03m + i, 0m, 0.03m), new(0.05m, 0m, 0m)] }))).ToList();
        var r = await pac.TimbrarAsync(SelladorCfdi.Sellar(Global(recibos), Facturas.Csd).Xml, CancellationToken.None);
        Assert.True(r.Exitoso, r.Mensaje);
        var raiz = XDocument.Parse(r.XmlTimbrado!).Root!;
        Assert.Equal("2026", (string?)raiz.Element(C + "InformacionGlobal")!.Attribute("Año"));
        SatReferencia.EscribirUtf8(Path.Combine(cfdis, "global.xml"), r.XmlTimbrado!);

        var v = SatReferencia.Ejecutar("bash", [SatReferencia.Ruta("verify.sh"), cfdis], new Dictionary<string, string> { ["TFDCERTS"] = certificados });

        Assert.True(v.Codigo == 0, v.Salida + v.Error);
        foreach (var check in new[] { "schema", "sello", "tfd", "resign" })
            Assert.Equal(1, v.Salida.Split('\n').Count(l => l.StartsWith($"PASS {check} ", StringComparison.Ordinal)));
        Directory.Delete(carpeta, recursive: true);
    }
}
