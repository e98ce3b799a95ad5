using System.Net;
using System.Text.Json;
using System.Xml.Linq;
using Microsoft.Extensions.DependencyInjection;
using Telecable.Application.Pagos;
using Telecable.Infrastructure.Almacen;
using Telecable.Infrastructure.Pagos;
using Telecable.IntegrationTests.Infraestructura;

namespace Telecable.IntegrationTests.Pagos;

/// <summary>Pagos 2.0 complements of partial payments on a PPD invoice with IEPS, end to end through POST /api/pagos
/// and ProcesarPago: taxes in proportion, adding up to the invoice's; Serie/Folio; the receptor as invoiced; exactly
/// one stamp across a crash; every complement through SAT's verify.sh.</summary>
[Collection(ColeccionPagos.Nombre)]
public sealed class ComplementoPagoTests(HostPagos host)
{
    private static readonly XNamespace P = "http://www.sat.gob.mx/Pagos20";
    private static readonly XNamespace Cfdi = "http://www.sat.gob.mx/cfd/4";

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
        var (cliente, factura, folio) = await DatosPagos.FacturaConIepsAsync(host);
        var uuidFactura = await host.EscalarAsync<Guid>("SELECT uuid FROM facturas WHERE id = @factura", new { factura });
        var xmls = new List<string>();
        foreach (var (m, i) in montos.Split(',').Select((m, i) => (m, i)))
        {
            // POST /api/pagos names the invoice by its internal id or by its fiscal UUID (alternating here).
            object nombre = i % 2 == 0 ? factura : uuidFactura;
            xmls.Add(await XmlComplementoAsync(await PagarAsync(cobranzas, cliente, decimal.Parse(m, System.Globalization.CultureInfo.InvariantCulture), nombre)));
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
            Assert.Equal((DatosPagos.NombreFacturado, "XOJI740919U48"), ((string?)raiz.Element(Cfdi + "Receptor")!.Attribute("Nombre"), (string?)raiz.Element(Cfdi + "Receptor")!.Attribute("Rfc")));
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
        var (cliente, factura, _) = await DatosPagos.FacturaConIepsAsync(host);
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

/// <summary>GET /api/pagos/{id}/complemento and .../representacion: staff and the owner, nobody else; and the invoice
/// listing names the complements of each invoice.</summary>
[Collection(ColeccionPagos.Nombre)]
public sealed class DescargaComplementoTests(HostPagos host)
{
    private async Task<HttpResponseMessage> GetAsync(string ruta, string token)
    {
        var req = new HttpRequestMessage(HttpMethod.Get, ruta);
        req.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return await host.Http.SendAsync(req);
    }

    [Fact]
    public async Task El_complemento_y_su_impresion_los_ven_su_dueno_y_cobranzas_y_nadie_mas()
    {
        using var cobranzas = await host.ClienteAsync("cobranzas");
        var (cliente, factura, folio) = await DatosPagos.FacturaConIepsAsync(host);
        var r = await cobranzas.SendAsync(DatosPagos.PostPago(new { clienteId = cliente, monto = 300m, metodo = "spei", facturas = new[] { factura } }, Guid.NewGuid().ToString("N")));
        var pago = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetGuid();
        await host.EsperarProcesoAsync(pago);
        var uuid = await host.EscalarAsync<Guid>("SELECT uuid FROM complementos_pago WHERE pago_id = @pago", new { pago });
        var dueno = host.TokenPara("dueno", ["cliente"], clienteId: cliente);
        var otro = host.TokenPara("otro", ["cliente"], clienteId: Guid.Parse("00000000-0000-0000-0000-00000000c001"));

        var xml = await cobranzas.GetAsync($"api/pagos/{pago}/complemento");
        Assert.Equal(HttpStatusCode.OK, xml.StatusCode);
        Assert.StartsWith("application/xml", xml.Content.Headers.ContentType!.ToString());
        var raiz = XDocument.Parse(await xml.Content.ReadAsStringAsync()).Root!;
        Assert.Equal("P", (string?)raiz.Attribute("TipoDeComprobante"));
        Assert.Contains(raiz.Descendants(), e => (string?)e.Attribute("UUID") == uuid.ToString().ToUpperInvariant());
        Assert.Equal(HttpStatusCode.OK, (await GetAsync($"api/pagos/{pago}/complemento", dueno)).StatusCode);
        var impresa = await GetAsync($"api/pagos/{pago}/complemento/representacion", dueno);
        var html = await impresa.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, impresa.StatusCode);
        Assert.StartsWith("text/html", impresa.Content.Headers.ContentType!.ToString());
        Assert.Contains("Complemento de pago", html);
        Assert.Contains($"A-{folio}", html);
        Assert.Contains("258.62 / 41.38", html);
        Assert.Contains("68.72 / 2.06", html);

        await Problemas.AfirmarAsync(await GetAsync($"api/pagos/{pago}/complemento", otro), HttpStatusCode.NotFound);
        await Problemas.AfirmarAsync(await GetAsync($"api/pagos/{pago}/complemento/representacion", otro), HttpStatusCode.NotFound);
        await Problemas.AfirmarAsync(await GetAsync($"api/pagos/{pago}/complemento", host.TokenPara("soporte", ["soporte"])), HttpStatusCode.Forbidden);
        await Problemas.AfirmarAsync(await cobranzas.GetAsync($"api/pagos/{Guid.NewGuid()}/complemento"), HttpStatusCode.NotFound);

        // The owner's invoice list names the complement with the invoice.
        var lista = JsonDocument.Parse(await (await GetAsync("api/facturacion/ultimas?tamano=50", dueno)).Content.ReadAsStringAsync()).RootElement;
        var c = lista.GetProperty("elementos").EnumerateArray().Single(f => f.GetProperty("id").GetGuid() == factura).GetProperty("complementos").EnumerateArray().Single();
        Assert.Equal((pago, uuid, 300m, 1), (c.GetProperty("pagoId").GetGuid(), c.GetProperty("uuid").GetGuid(), c.GetProperty("impPagado").GetDecimal(), c.GetProperty("numParcialidad").GetInt32()));
    }

    [Fact]
    public async Task Un_pago_sin_complemento_responde_404()
    {
        using var cobranzas = await host.ClienteAsync("cobranzas");
        var cliente = await DatosPagos.ClienteAsync(host);
        var pue = await DatosPagos.FacturaAsync(host, cliente, 116m, "PUE");
        var r = await cobranzas.SendAsync(DatosPagos.PostPago(new { clienteId = cliente, monto = 116m, metodo = "efectivo", facturas = new[] { pue } }, Guid.NewGuid().ToString("N")));
        var pago = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetGuid();
        await host.EsperarProcesoAsync(pago);

        await Problemas.AfirmarAsync(await cobranzas.GetAsync($"api/pagos/{pago}/complemento"), HttpStatusCode.NotFound);
    }
}
