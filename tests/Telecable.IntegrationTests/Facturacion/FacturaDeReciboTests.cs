using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Xml.Linq;
using Dapper;
using Npgsql;
using Telecable.IntegrationTests.Infraestructura;

namespace Telecable.IntegrationTests.Facturacion;

/// <summary>A host of its own for the invoice of a receipt: its emulated SAT certificate in a folder of its own (every CFDI it
/// stamps passes SAT's checks when it is disposed), the global CFDI and daily run timers off (the test drives them).</summary>
public sealed class HostFacturaRecibo : HostPrueba
{
    public string CarpetaPac { get; } = Directory.CreateTempSubdirectory("telecable-pac-recibo-").FullName;

    protected override IDictionary<string, string?> Ajustes => new Dictionary<string, string?>
    {
        ["Pac:FailureRate"] = "0",
        ["Pac:Seed"] = "20261204",
        ["Pac:Carpeta"] = CarpetaPac,
        ["Facturacion:EsperaInicialPacMs"] = "1",
        ["Facturacion:CfdiGlobal"] = "false",
        ["Facturacion:CorridaDiaria"] = "false",
    };
}

/// <summary>
/// Issue 20, "a customer who later asks for their own invoice of a receipt gets it only as SAT allows": before the month's global
/// CFDI reports the receipt, the customer (only for their own receipt) gets a CFDI I with their fiscal data, once per receipt and
/// idempotent by key; the global CFDI then leaves the receipt out, a receipt already in it is 409, and the customer's next month
/// is billed with an individual CFDI. A run's progress counts receipts apart from stamped CFDIs.
/// </summary>
public sealed class FacturaDeReciboTests(HostFacturaRecibo host) : IClassFixture<HostFacturaRecibo>
{
    private static readonly XNamespace Cfdi = "http://www.sat.gob.mx/cfd/4";
    private static readonly object Datos = new { rfc = "XOJI740919U48", nombre = "INGRID XODAR JIMENEZ", regimenFiscal = "612", usoCfdi = "G03", cpFiscal = "76028" };

    private sealed record Recibo(Guid Id, Guid ClienteId, long Folio, decimal Total);

    private HttpClient ComoCliente(Guid cliente)
    {
        var c = new HttpClient { BaseAddress = host.Http.BaseAddress, Timeout = host.Http.Timeout };
        c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", host.TokenPara($"cliente-{cliente:N}", ["cliente"], clienteId: cliente));
        return c;
    }

    private static Task<HttpResponseMessage> Solicitar(HttpClient c, Guid recibo, object datos, string? clave = null) =>
        HostFacturacion.PostAsync(c, $"api/facturacion/recibos/{recibo}/factura", datos, clave);

    [Fact]
    public async Task El_cliente_factura_su_recibo_antes_del_cfdi_global_y_este_lo_deja_fuera()
    {
        using var admin = await host.ClienteAsync("admin");
        await using (var cn = new NpgsqlConnection(host.ConnectionString))
        {
            await cn.OpenAsync();
            await ContratosMasivos.InsertarAsync(cn, 2, "FREC", "CON RFC", 7);
            await ContratosMasivos.InsertarSinRfcAsync(cn, 3, "SIN RFC", apartarOtros: false);
        }
        var corrida = await Corridas.IniciarAsync(admin, "2026-10");
        var fin = await Corridas.EsperarFinAsync(admin, corrida, TimeSpan.FromMinutes(3));
        // The run's progress counts the receipts apart: timbradas is what the PAC stamped.
        Assert.Equal(("completada", 5, 2, 3), (fin.GetProperty("estado").GetString(), fin.GetProperty("total").GetInt32(),
            fin.GetProperty("timbradas").GetInt32(), fin.GetProperty("recibos").GetInt32()));

        // Issued in October (a closed month), as the global CFDI needs.
        await host.EscalarAsync<int>("UPDATE facturas SET fecha_emision = '2026-10-15T18:00:00Z' WHERE corrida_id = @corrida AND tipo_documento = 'recibo'", new { corrida });
        List<Recibo> recibos;
        await using (var cn = new NpgsqlConnection(host.ConnectionString))
            recibos = (await cn.QueryAsync<Recibo>(
                "SELECT id, cliente_id AS ClienteId, folio, total FROM facturas WHERE corrida_id = @corrida AND tipo_documento = 'recibo' ORDER BY folio",
                new { corrida })).ToList();
        var (a, b, c) = (recibos[0], recibos[1], recibos[2]);
        using var clienteA = ComoCliente(a.ClienteId);

        // Someone else's receipt: 404 (never 403). Bad fiscal data: 400 naming the field; the generic RFC is the global CFDI's.
        await Problemas.AfirmarAsync(await Solicitar(clienteA, b.Id, Datos), HttpStatusCode.NotFound);
        await Problemas.AfirmarAsync(await Solicitar(clienteA, a.Id, new { rfc = "XOJI740919U40", nombre = "INGRID XODAR JIMENEZ", regimenFiscal = "612", usoCfdi = "G03", cpFiscal = "76028" }),
            HttpStatusCode.BadRequest, "rfc");
        await Problemas.AfirmarAsync(await Solicitar(clienteA, a.Id, new { rfc = "XOJI740919U48", nombre = "INGRID XODAR JIMENEZ", regimenFiscal = "612", usoCfdi = "S02", cpFiscal = "7602" }),
            HttpStatusCode.BadRequest, "cpFiscal");
        await Problemas.AfirmarAsync(await Solicitar(clienteA, a.Id, new { rfc = "XAXX010101000", nombre = "PUBLICO", regimenFiscal = "616", usoCfdi = "S01", cpFiscal = "76028" }),
            HttpStatusCode.BadRequest, "rfc");
        Assert.Equal("XAXX010101000", await host.EscalarAsync<string>("SELECT rfc FROM clientes WHERE id = @id", new { id = a.ClienteId }));

        var clave = Guid.NewGuid().ToString();
        var r = await Solicitar(clienteA, a.Id, Datos, clave);
        var texto = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.Created, texto);
        var f = JsonDocument.Parse(texto).RootElement.Clone();
        var uuid = f.GetProperty("uuid").GetGuid();
        Assert.Equal(("timbrada", a.Total, "XOJI740919U48", $"NV-{a.Folio}"), (f.GetProperty("estado").GetString(), f.GetProperty("total").GetDecimal(),
            f.GetProperty("rfc").GetString(), f.GetProperty("recibo").GetString()));

        // Repeating it with the same key answers the same CFDI; another request for the same receipt is 409.
        var repetida = await Solicitar(clienteA, a.Id, Datos, clave);
        Assert.Equal(HttpStatusCode.Created, repetida.StatusCode);
        Assert.Equal(uuid, JsonDocument.Parse(await repetida.Content.ReadAsStringAsync()).RootElement.GetProperty("uuid").GetGuid());
        var otra = await Problemas.AfirmarAsync(await Solicitar(clienteA, a.Id, Datos), HttpStatusCode.Conflict);
        Assert.Equal("recibo_facturado", otra.GetProperty("code").GetString());
        Assert.Equal(1L, await host.EscalarAsync<long>("SELECT count(*) FROM facturas_de_recibos WHERE recibo_id = @id", new { id = a.Id }));

        // The CFDI: type I to the customer's data, the receipt's lines and total, PUE, related to nothing, not a global one.
        var xml = await clienteA.GetStringAsync($"api/facturacion/recibos/{a.Id}/factura/xml");
        var raiz = XDocument.Parse(xml).Root!;
        var receptor = raiz.Element(Cfdi + "Receptor")!;
        Assert.Equal(("XOJI740919U48", "INGRID XODAR JIMENEZ", "76028", "612", "G03"), ((string)receptor.Attribute("Rfc")!, (string)receptor.Attribute("Nombre")!,
            (string)receptor.Attribute("DomicilioFiscalReceptor")!, (string)receptor.Attribute("RegimenFiscalReceptor")!, (string)receptor.Attribute("UsoCFDI")!));
        Assert.Equal(("I", "PUE", "01"), ((string)raiz.Attribute("TipoDeComprobante")!, (string)raiz.Attribute("MetodoPago")!, (string)raiz.Attribute("FormaPago")!));
        Assert.Equal(a.Total, decimal.Parse((string)raiz.Attribute("Total")!, CultureInfo.InvariantCulture));
        Assert.Null(raiz.Element(Cfdi + "CfdiRelacionados"));
        Assert.Null(raiz.Element(Cfdi + "InformacionGlobal"));
        Assert.Equal(await host.EscalarAsync<long>("SELECT count(*) FROM factura_conceptos WHERE factura_id = @id", new { id = a.Id }),
            raiz.Element(Cfdi + "Conceptos")!.Elements(Cfdi + "Concepto").LongCount());
        Assert.Contains(uuid.ToString().ToUpperInvariant(), await clienteA.GetStringAsync($"api/facturacion/recibos/{a.Id}/factura/representacion"));

        // From now on the customer has their fiscal data; the receipt lists its CFDI and is no longer invoiceable.
        Assert.Equal("XOJI740919U48 612 G03 76028", await host.EscalarAsync<string>(
            "SELECT rfc || ' ' || regimen_fiscal || ' ' || uso_cfdi || ' ' || cp_fiscal FROM clientes WHERE id = @id", new { id = a.ClienteId }));
        var propio = JsonDocument.Parse(await clienteA.GetStringAsync("api/facturacion/recibos")).RootElement.GetProperty("elementos")[0];
        Assert.Equal((uuid, false), (propio.GetProperty("facturaUuid").GetGuid(), propio.GetProperty("facturable").GetBoolean()));

        // The month's global CFDI leaves that receipt out.
        var g = await HostFacturacion.PostAsync(admin, "api/facturacion/globales", new { periodo = "2026-10" });
        var gTexto = await g.Content.ReadAsStringAsync();
        Assert.True(g.StatusCode == HttpStatusCode.Created, gTexto);
        var gUuid = JsonDocument.Parse(gTexto).RootElement.GetProperty("uuid").GetGuid();
        var global = XDocument.Parse(await admin.GetStringAsync($"api/facturacion/globales/{gUuid}/xml")).Root!;
        Assert.Equal([$"NV-{b.Folio}", $"NV-{c.Folio}"],
            global.Element(Cfdi + "Conceptos")!.Elements(Cfdi + "Concepto").Select(k => (string)k.Attribute("NoIdentificacion")!));
        Assert.Equal(b.Total + c.Total, decimal.Parse((string)global.Attribute("Total")!, CultureInfo.InvariantCulture));

        // A receipt already in the global CFDI: 409 with its code, and nothing changes for that customer.
        using var clienteB = ComoCliente(b.ClienteId);
        var incluida = await Problemas.AfirmarAsync(await Solicitar(clienteB, b.Id, new { rfc = "GATM900417PC4", nombre = "MARIANA GARZA TREVIÑO", regimenFiscal = "612", usoCfdi = "G03", cpFiscal = "64349" }),
            HttpStatusCode.Conflict);
        Assert.Equal("recibo_en_cfdi_global", incluida.GetProperty("code").GetString());
        Assert.Equal("XAXX010101000", await host.EscalarAsync<string>("SELECT rfc FROM clientes WHERE id = @id", new { id = b.ClienteId }));

        // The next month bills the customer who now has an RFC with an individual CFDI; the other two still get receipts.
        var noviembre = await Corridas.EsperarFinAsync(admin, await Corridas.IniciarAsync(admin, "2026-11"), TimeSpan.FromMinutes(3));
        Assert.Equal(("completada", 3, 2), (noviembre.GetProperty("estado").GetString(), noviembre.GetProperty("timbradas").GetInt32(), noviembre.GetProperty("recibos").GetInt32()));
        Assert.Equal("cfdi A XOJI740919U48 timbrada", await host.EscalarAsync<string>(
            "SELECT tipo_documento || ' ' || serie || ' ' || receptor_rfc || ' ' || estado FROM facturas WHERE cliente_id = @id AND periodo = '2026-11-01'", new { id = a.ClienteId }));
    }
}
