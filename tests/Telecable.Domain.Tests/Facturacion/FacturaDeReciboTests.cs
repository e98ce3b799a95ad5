using System.Xml.Linq;
using Telecable.Domain.Cfdi;
using Telecable.Domain.Facturacion;
using Telecable.Domain.Tests.Cfdi;
using Telecable.Infrastructure.Pac;

namespace Telecable.Domain.Tests.Facturacion;

/// <summary>Issue 20: the individual CFDI of a receipt carries the receipt's lines and exactly the receipt's taxes (computed once
/// per receipt), each concept's tax within SAT's limits, no relation, PUE; it passes SAT's verify.sh.</summary>
public sealed class FacturaDeReciboTests
{
    private static readonly Receptor Cliente = new("XOJI740919U48", "INGRID XODAR JIMENEZ", "64000", "612", "G03");

    private static ConceptoRecibo Linea(decimal importe, decimal descuento = 0m, decimal ieps = 0m, string clave = "81112101") =>
        new(clave, "E48", "Servicio", null, $"Servicio {importe}", 1m, importe, importe, descuento, ieps);

    private static Comprobante Armar(params ConceptoRecibo[] lineas) => ReglasFacturaDeRecibo.Armar("A", 9, Facturas.Ahora(), "64000",
        new Emisor(Facturas.Csd.Rfc, "ESCUELA KEMPER URGATE", "601"), Cliente, "03", lineas);

    [Fact]
    public void Los_impuestos_por_concepto_suman_los_del_recibo_al_centavo()
    {
        // Per line 100.03 x 16 % = 16.0048 rounds to 16.00 twice (32.00); the receipt says 200.06 x 16 % = 32.01.
        var lineas = new[] { Linea(100.03m), Linea(100.03m) };
        var recibo = ReglasCfdiGlobal.Importes(lineas.Select(l => new LineaRecibo(l.Importe, l.Descuento, l.TasaIeps)).ToList());
        var c = Armar(lineas);
        Assert.Equal(32.01m, recibo.Iva);
        Assert.Equal(recibo.Total, c.Total);
        Assert.Equal([16.01m, 16.00m], c.Conceptos.Select(k => k.Traslados.Single().Importe!.Value));
        Assert.Equal(recibo.Iva, c.Impuestos!.TotalImpuestosTrasladados);
        // Each concept's traslado lies within SAT's limits: (Base -/+ half a cent) x TasaOCuota, truncated / rounded up.
        Assert.All(c.Conceptos.SelectMany(k => k.Traslados), t =>
        {
            var tasa = t.TasaOCuota!.Value;
            Assert.InRange(t.Importe!.Value, Math.Floor((t.Base - 0.005m) * tasa * 100m) / 100m, Math.Ceiling((t.Base + 0.005m) * tasa * 100m) / 100m);
        });
    }

    [Fact]
    public void Un_paquete_con_ieps_y_descuento_conserva_claves_montos_y_forma_de_pago()
    {
        var c = Armar(Linea(150.00m, ieps: 0.03m, clave: "81112104"), Linea(410.00m, descuento: 10.00m));
        Assert.Equal((560.00m, 10.00m, 643.22m), (c.SubTotal, c.Descuento, c.Total)); // the receipt's amounts (CfdiGlobalTests)
        Assert.Equal(["81112104", "81112101"], c.Conceptos.Select(k => k.ClaveProdServ));
        Assert.Equal((4.50m, 88.72m), (c.Impuestos!.Traslados.Single(t => t.Impuesto == "003").Importe, c.Impuestos.Traslados.Single(t => t.Impuesto == "002").Importe));
        Assert.Equal(("PUE", "03", "I"), (c.MetodoPago, c.FormaPago, c.TipoDeComprobante));
        Assert.Empty(c.CfdiRelacionados);
        Assert.Null(c.InformacionGlobal);
        Assert.Throws<ArgumentException>(() => ReglasFacturaDeRecibo.Armar("A", 1, Facturas.Ahora(), "64000",
            new Emisor(Facturas.Csd.Rfc, "X", "601"), Cliente, "99", [Linea(1m)]));
    }

    [Fact]
    public void El_rfc_generico_no_recibe_la_factura_de_un_recibo()
    {
        Assert.Equal("rfc", ReglasFacturaDeRecibo.MotivoReceptor("XAXX010101000")?.Campo);
        Assert.Null(ReglasFacturaDeRecibo.MotivoReceptor("XOJI740919U48"));
    }

    [Fact]
    public void Repartir_da_a_cada_parte_su_piso_o_su_techo()
    {
        var partes = ReglasFacturaDeRecibo.Repartir(0.01m, [0.0048m, 0.0048m, 0.0048m]);
        Assert.Equal([0.01m, 0m, 0m], partes);
        Assert.Throws<ArgumentException>(() => ReglasFacturaDeRecibo.Repartir(0.05m, [0.0048m, 0.0048m]));
    }

    [Fact]
    public async Task La_factura_de_un_recibo_sellada_y_timbrada_pasa_verify_sh()
    {
        using var verificable = SatReferencia.NuevoPacVerificable();
        var (_, pac, carpeta, certificados, cfdis) = verificable;
        var r = await pac.TimbrarAsync(SelladorCfdi.Sellar(Armar(Linea(100.03m), Linea(100.03m), Linea(150.00m, ieps: 0.03m)), Facturas.Csd).Xml, CancellationToken.None);
        Assert.True(r.Exitoso, r.Mensaje);
        Assert.Equal("XOJI740919U48", (string?)XDocument.Parse(r.XmlTimbrado!).Root!.Element((XNamespace)"http://www.sat.gob.mx/cfd/4" + "Receptor")!.Attribute("Rfc"));
        SatReferencia.EscribirUtf8(Path.Combine(cfdis, "recibo.xml"), r.XmlTimbrado!);

        var v = SatReferencia.Ejecutar("bash", [SatReferencia.Ruta("verify.sh"), cfdis], new Dictionary<string, string> { ["TFDCERTS"] = certificados });

        Assert.True(v.Codigo == 0, v.Salida + v.Error);
        foreach (var check in new[] { "schema", "sello", "tfd", "resign" })
            Assert.Equal(1, v.Salida.Split('\n').Count(l => l.StartsWith($"PASS {check} ", StringComparison.Ordinal)));
        Directory.Delete(carpeta, recursive: true);
    }
}
