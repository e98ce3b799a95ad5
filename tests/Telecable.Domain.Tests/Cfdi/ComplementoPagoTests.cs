using Telecable.Domain.Cfdi;
using Telecable.Infrastructure.Pac;
using static Telecable.Domain.Cfdi.ImpuestoLinea;

namespace Telecable.Domain.Tests.Cfdi;

/// <summary>Pagos 2.0 taxes of partial payments on an invoice with IEPS: the issue's worked example, sums across
/// two and three payments, and SAT's own checks over every complement produced.</summary>
public sealed class ComplementoPagoTests
{
    private static readonly DateTime Fecha = new(2026, 11, 20, 10, 0, 0);
    private const string Uuid = "00000000-1111-2222-3333-0000000000EE";

    /// <summary>TV 150.00 with IEPS 3 % (4.50) and internet 410.00: IVA base 564.50 (LIVA art. 18 includes the IEPS),
    /// IVA 90.32, total 654.82; serie A, folio 1234.</summary>
    private static Comprobante FacturaConIeps() => CalculadoraCfdi.Calcular(
        Facturas.Datos(Fecha) with { Folio = "1234", MetodoPago = CatalogoSat.MetodoPpd, FormaPago = CatalogoSat.FormaPorDefinir },
        [Facturas.Linea(1m, 150m, Ieps3, Iva16), Facturas.Linea(1m, 410m, Iva16)]);

    /// <summary>One complement per payment, each with the saldo the earlier ones left.</summary>
    private static List<Comprobante> Complementos(Comprobante factura, params decimal[] pagos)
    {
        var saldo = factura.Total;
        var lista = new List<Comprobante>();
        for (var i = 0; i < pagos.Length; i++)
        {
            lista.Add(CalculadoraPagos.Calcular(Facturas.Datos(Fecha) with { Serie = "P", Folio = $"{i + 1}" },
                [new PagoAplicado(Fecha.AddHours(-1), "03", [new DocumentoPagado(factura, Uuid, i + 1, saldo, pagos[i])])]));
            saldo -= pagos[i];
        }
        return lista;
    }

    private static Traslado Dr(Comprobante c, string impuesto) =>
        c.Pagos!.Pagos.Single().Documentos.Single().TrasladosDR.Single(t => t.Impuesto == impuesto);

    [Fact]
    public void Ejemplo_del_issue_300_de_654_82_reporta_IVA_e_IEPS_en_proporcion()
    {
        var factura = FacturaConIeps();
        Assert.Equal((654.82m, 90.32m), (factura.Total, factura.Impuestos!.TotalImpuestosTrasladados!.Value - 4.50m));

        var c = Complementos(factura, 300m)[0];

        Assert.Equal(new Traslado(258.62m, CatalogoSat.ImpuestoIva, CatalogoSat.FactorTasa, 0.16m, 41.38m), Dr(c, CatalogoSat.ImpuestoIva));
        Assert.Equal(new Traslado(68.72m, CatalogoSat.ImpuestoIeps, CatalogoSat.FactorTasa, 0.03m, 2.06m), Dr(c, CatalogoSat.ImpuestoIeps));
        var docto = c.Pagos!.Pagos[0].Documentos[0];
        Assert.Equal(("A", "1234", CatalogoSat.ObjetoSiObjeto, 354.82m), (docto.Serie, docto.Folio, docto.ObjetoImpDR, docto.ImpSaldoInsoluto));
        // Pago level and Totales are the sums of the document's traslados; Totales only break down IVA.
        Assert.Equal(c.Pagos.Pagos[0].Documentos[0].TrasladosDR.OrderBy(t => t.Impuesto), c.Pagos.Pagos[0].TrasladosP.OrderBy(t => t.Impuesto));
        Assert.Equal((300m, 258.62m, 41.38m), (c.Pagos.Totales.MontoTotalPagos, c.Pagos.Totales.TotalTrasladosBaseIVA16, c.Pagos.Totales.TotalTrasladosImpuestoIVA16));
    }

    [Theory]
    [InlineData(new[] { 300, 354.82 })]
    [InlineData(new[] { 300, 200, 154.82 })]
    [InlineData(new[] { 0.01, 100.33, 554.48 })]
    [InlineData(new[] { 218.27, 218.27, 218.28 })]
    public void Las_parcialidades_suman_exactamente_las_bases_e_importes_de_la_factura(double[] montos)
    {
        var factura = FacturaConIeps();
        var pagos = montos.Select(m => Math.Round((decimal)m, 2)).ToArray();
        Assert.Equal(factura.Total, pagos.Sum());

        var complementos = Complementos(factura, pagos);

        foreach (var t in factura.Impuestos!.Traslados)
        {
            var partes = complementos.Select(c => Dr(c, t.Impuesto)).ToList();
            Assert.Equal(t.Base, partes.Sum(p => p.Base));
            Assert.Equal(t.Importe, partes.Sum(p => p.Importe));
            // Each part stays within a cent or two of the plain proportion (no payment carries the others' error).
            for (var i = 0; i < pagos.Length; i++)
            {
                Assert.InRange(partes[i].Base - t.Base * pagos[i] / factura.Total, -0.011m, 0.011m);
            }
        }
        Assert.Equal(0m, complementos[^1].Pagos!.Pagos[0].Documentos[0].ImpSaldoInsoluto);
    }

    [Fact]
    public void Una_factura_con_IVA_exento_reporta_la_base_exenta_sin_importe_y_en_Totales()
    {
        var factura = CalculadoraCfdi.Calcular(
            Facturas.Datos(Fecha) with { MetodoPago = CatalogoSat.MetodoPpd, FormaPago = CatalogoSat.FormaPorDefinir },
            [Facturas.Linea(1m, 100m, IvaExento), Facturas.Linea(1m, 200m, Iva16)]);

        var c = Complementos(factura, 166m)[0];

        var docto = c.Pagos!.Pagos[0].Documentos[0];
        var exento = docto.TrasladosDR.Single(t => t.TipoFactor == CatalogoSat.FactorExento);
        Assert.Equal((50m, (decimal?)null), (exento.Base, exento.Importe));
        Assert.Equal(50m, c.Pagos.Totales.TotalTrasladosBaseIVAExento);
        Assert.Equal((100m, 16m), (c.Pagos.Totales.TotalTrasladosBaseIVA16, c.Pagos.Totales.TotalTrasladosImpuestoIVA16));
    }

    [Fact]
    public async Task Cada_complemento_de_dos_y_tres_parcialidades_pasa_verify_sh()
    {
        var factura = FacturaConIeps();
        var complementos = Complementos(factura, 300m, 354.82m).Concat(Complementos(factura, 300m, 200m, 154.82m)).ToList();
        using var verificable = SatReferencia.NuevoPacVerificable();
        var (_, pac, carpeta, certificados, cfdis) = verificable;
        for (var i = 0; i < complementos.Count; i++)
        {
            var c = complementos[i] with { Fecha = Facturas.Ahora() };
            var r = await pac.TimbrarAsync(SelladorCfdi.Sellar(c, Facturas.Csd).Xml, CancellationToken.None);
            Assert.True(r.Exitoso, r.Mensaje);
            SatReferencia.EscribirUtf8(Path.Combine(cfdis, $"p{i}.xml"), r.XmlTimbrado);
        }

        var v = SatReferencia.Ejecutar("bash", [SatReferencia.Ruta("verify.sh"), cfdis],
            new Dictionary<string, string> { ["TFDCERTS"] = certificados });

        Assert.True(v.Codigo == 0, v.Salida + v.Error);
        foreach (var check in new[] { "schema", "sello", "tfd", "resign" })
        {
            Assert.Equal(complementos.Count, v.Salida.Split('\n').Count(l => l.StartsWith($"PASS {check} ", StringComparison.Ordinal)));
        }
        Directory.Delete(carpeta, recursive: true);
    }
}
