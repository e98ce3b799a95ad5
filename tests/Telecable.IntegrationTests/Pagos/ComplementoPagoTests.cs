using System.Net;
using System.Text.Json;
using System.Xml.Linq;
using Microsoft.Extensions.DependencyInjection;
using Telecable.Infrastructure.Almacen;
using Telecable.Infrastructure.Pagos;

namespace Telecable.IntegrationTests.Pagos;

/// <summary>Pagos 2.0 complements of partial payments on a PPD invoice with IEPS, end to end through POST /api/pagos
/// and ProcesarPago: taxes in proportion, adding up to the invoice's; Serie/Folio; the receptor as invoiced; exactly
/// one stamp across a crash; every complement through SAT's verify.sh.</summary>
[Collection(ColeccionPagos.Nombre)]
public sealed class ComplementoPagoTests(HostPagos host)
{
    private static readonly XNamespace P = "http://www.sat.gob.mx/Pagos20";
    private static readonly XNamespace Cfdi = "http://www.sat.gob.mx/cfd/4";
    private const string NombreFacturado = "NOMBRE COMO SE FACTURO";

    /// <summary>TV 150.00 + IEPS 3 % 4.50 and internet 410.00, IVA 16 % over 564.50 = 90.32: total 654.82. The
    /// receptor printed on it differs from the customer's current record (renamed since).</summary>
    private async Task<(Guid Cliente, Guid Factura, long Folio)> FacturaConIepsAsync()
    {
        var cliente = await DatosPagos.ClienteAsync(host);
        var folio = 800_000_000L + Random.Shared.Next(0, 100_000_000);
        var factura = await host.EscalarAsync<Guid>("""
            INSERT INTO facturas (uuid, serie, folio, cliente_id, subtotal, iva, ieps, total, metodo_pago, forma_pago, uso_cfdi, estado,
                                  fecha_emision, fecha_vencimiento, timbrada_en, receptor_rfc, receptor_nombre, receptor_regimen, receptor_cp)
            SELECT gen_random_uuid(), 'A', @folio, c.id, 560.00, 90.32, 4.50, 654.82, 'PPD', '99', 'G03', 'timbrada',
                   now(), current_date + 10, now(), 'XOJI740919U48', @nombre, '612', '64349'
            FROM clientes c WHERE c.id = @cliente
            RETURNING id
            """, new { folio, cliente, nombre = NombreFacturado });
        await host.EscalarAsync<int>("""
            INSERT INTO factura_conceptos (factura_id, numero_linea, clave_prod_serv, descripcion, cantidad, valor_unitario, importe, tasa_iva, iva, tasa_ieps, ieps)
            VALUES (@factura, 1, '83121703', 'TV Básica', 1, 150.00, 150.00, 0.16, 24.72, 0.03, 4.50),
                   (@factura, 2, '81112101', 'Internet 100 Mbps', 1, 410.00, 410.00, 0.16, 65.60, 0, 0);
            UPDATE clientes SET nombre = 'NOMBRE NUEVO DEL CLIENTE' WHERE id = @cliente;
            SELECT 1
            """, new { factura, cliente });
        return (cliente, factura, folio);
    }

    private async Task<Guid> PagarAsync(HttpClient c, Guid cliente, decimal monto, object factura)
    {
        var r = await c.SendAsync(DatosPagos.PostPago(new { clienteId = cliente, monto, metodo = "spei", referencia = "SPEI-IEPS", facturas = new[] { factura } }, Guid.NewGuid().ToString("N")));
        var texto = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.Accepted, texto);
        var id = JsonDocument.Parse(texto).RootElement.GetProperty("id").GetGuid();
        var fin = await host.EsperarProcesoAsync(id);
        Assert.Contains("completado", fin.SerializedOutput);
        return id;
    }

    private async Task<string> XmlComplementoAsync(Guid pago)
    {
        var blob = await host.EscalarAsync<string>("SELECT xml_blob FROM complementos_pago WHERE pago_id = @pago AND estado = 'timbrado'", new { pago });
        var datos = await host.Servicios.GetRequiredService<AlmacenBlobs>().DescargarAsync(blob!, CancellationToken.None);
        return datos!.ToString();
    }

    private static (decimal Base, decimal Importe) Dr(XElement docto, string impuesto)
    {
        var t = docto.Descendants(P + "TrasladoDR").Single(x => (string?)x.Attribute("ImpuestoDR") == impuesto);
        return (decimal.Parse((string)t.Attribute("BaseDR")!, System.Globalization.CultureInfo.InvariantCulture),
            decimal.Parse((string)t.Attribute("ImporteDR")!, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("300.00,354.82")]
    [InlineData("300.00,200.00,154.82")]
    public async Task Parcialidades_de_una_factura_con_IEPS_reportan_cada_impuesto_y_suman_los_de_la_factura(string montos)
    {
        using var cobranzas = await host.ClienteAsync("cobranzas");
        var (cliente, factura, folio) = await FacturaConIepsAsync();
        var uuidFactura = await host.EscalarAsync<Guid>("SELECT uuid FROM facturas WHERE id = @factura", new { factura });
        var xmls = new List<string>();
        foreach (var m in montos.Split(','))
        {
            xmls.Add(await XmlComplementoAsync(await PagarAsync(cobranzas, cliente, decimal.Parse(m, System.Globalization.CultureInfo.InvariantCulture), factura)));
        }

        var doctos = xmls.Select(x => XDocument.Parse(x).Descendants(P + "DoctoRelacionado").Single()).ToList();
        Assert.Equal(((decimal, decimal))(258.62m, 41.38m), Dr(doctos[0], "002"));
        Assert.Equal(((decimal, decimal))(68.72m, 2.06m), Dr(doctos[0], "003"));
        Assert.Equal((564.50m, 90.32m), (doctos.Sum(d => Dr(d, "002").Base), doctos.Sum(d => Dr(d, "002").Importe)));
        Assert.Equal((150.00m, 4.50m), (doctos.Sum(d => Dr(d, "003").Base), doctos.Sum(d => Dr(d, "003").Importe)));
        Assert.All(doctos, d => Assert.Equal(("A", folio.ToString(System.Globalization.CultureInfo.InvariantCulture), uuidFactura.ToString().ToUpperInvariant()),
            ((string?)d.Attribute("Serie"), (string?)d.Attribute("Folio"), (string?)d.Attribute("IdDocumento"))));
        Assert.Equal(Enumerable.Range(1, doctos.Count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            doctos.Select(d => (string)d.Attribute("NumParcialidad")!));
        Assert.Equal("0.00", (string?)doctos[^1].Attribute("ImpSaldoInsoluto"));
        foreach (var x in xmls)
        {
            var raiz = XDocument.Parse(x).Root!;
            Assert.Equal((NombreFacturado, "XOJI740919U48"), ((string?)raiz.Element(Cfdi + "Receptor")!.Attribute("Nombre"), (string?)raiz.Element(Cfdi + "Receptor")!.Attribute("Rfc")));
            // TrasladosP and Totales are the sums of the TrasladosDR.
            var ivaDr = raiz.Descendants(P + "TrasladoDR").Where(t => (string?)t.Attribute("ImpuestoDR") == "002").Sum(t => (decimal)t.Attribute("BaseDR")!);
            var ivaP = raiz.Descendants(P + "TrasladoP").Single(t => (string?)t.Attribute("ImpuestoP") == "002");
            Assert.Equal(ivaDr, (decimal)ivaP.Attribute("BaseP")!);
            Assert.Equal(ivaDr, (decimal)raiz.Descendants(P + "Totales").Single().Attribute("TotalTrasladosBaseIVA16")!);
            Assert.Single(raiz.Descendants(P + "TrasladoP"), t => (string?)t.Attribute("ImpuestoP") == "003");
        }
        Assert.Equal("pagada", await host.EscalarAsync<string>("SELECT estado FROM facturas WHERE id = @factura", new { factura }));

        var (codigo, salida) = await host.VerificarSatAsync(xmls);
        Assert.True(codigo == 0, salida);
        Assert.Equal(xmls.Count, salida.Split('\n').Count(l => l.StartsWith("PASS tfd ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Una_caida_despues_de_la_respuesta_del_PAC_reenvia_el_mismo_complemento_y_recibe_el_mismo_UUID()
    {
        using var cobranzas = await host.ClienteAsync("cobranzas");
        var (cliente, factura, _) = await FacturaConIepsAsync();
        var pago = await PagarAsync(cobranzas, cliente, 300m, factura);
        var original = await host.EscalarAsync<Guid>("SELECT uuid FROM complementos_pago WHERE pago_id = @pago", new { pago });
        var xmlOriginal = await XmlComplementoAsync(pago);
        var timbres = await host.EscalarAsync<long>("SELECT count(*) FROM pac_emulado_timbres");

        // What a crash between the PAC's answer and our commit leaves: the sealed complement, no UUID recorded.
        await host.EscalarAsync<int>("UPDATE complementos_pago SET uuid = NULL, estado = 'sellado' WHERE pago_id = @pago; SELECT 1", new { pago });
        var otraVez = await host.Servicios.GetRequiredService<IEmisorComplementoPago>().EmitirAsync(pago, CancellationToken.None);

        Assert.Equal(original, otraVez);
        Assert.Equal(timbres, await host.EscalarAsync<long>("SELECT count(*) FROM pac_emulado_timbres"));
        Assert.Equal(("timbrado", original), (await host.EscalarAsync<string>("SELECT estado FROM complementos_pago WHERE pago_id = @pago", new { pago }),
            await host.EscalarAsync<Guid>("SELECT uuid FROM complementos_pago WHERE pago_id = @pago", new { pago })));
        Assert.Equal(xmlOriginal, await XmlComplementoAsync(pago));
    }
}
