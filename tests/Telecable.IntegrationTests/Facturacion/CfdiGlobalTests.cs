using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using Dapper;
using Npgsql;
using Telecable.IntegrationTests.Infraestructura;

namespace Telecable.IntegrationTests.Facturacion;

/// <summary>A host of its own for receipts and the global CFDI: its PAC fails 30 % of the calls (seeded), its emulated SAT
/// certificate in a folder verify.sh can use, and the global CFDI timer off (the tests issue it).</summary>
public sealed class HostCfdiGlobal : HostPrueba
{
    public string CarpetaPac { get; } = Directory.CreateTempSubdirectory("telecable-pac-global-").FullName;

    protected override IDictionary<string, string?> Ajustes => new Dictionary<string, string?>
    {
        ["Pac:FailureRate"] = "0.3",
        ["Pac:Seed"] = "20261020",
        ["Pac:Carpeta"] = CarpetaPac,
        ["Facturacion:EsperaInicialPacMs"] = "1",
        ["Facturacion:CfdiGlobal"] = "false",
        ["Facturacion:CorridaDiaria"] = "false",
    };

    public string Tfdcerts => Path.Combine(CarpetaPac, "tfdcerts");
}

/// <summary>
/// Issue 20: customers without an RFC ("no necesita factura") are billed with receipts, never sent to the PAC; the month's
/// global CFDI to XAXX010101000 covers 1,000 of them (one concept per receipt, InformacionGlobal, SAT's verify.sh), once:
/// its re-run and a crash between the PAC's answer and our commit give back the same CFDI and no second stamp.
/// </summary>
public sealed class CfdiGlobalTests(HostCfdiGlobal host) : IClassFixture<HostCfdiGlobal>
{
    private static readonly XNamespace Cfdi = "http://www.sat.gob.mx/cfd/4";
    private const int Recibos = 1000;

    private static decimal D(XElement e, string a) => decimal.Parse((string)e.Attribute(a)!, CultureInfo.InvariantCulture);

    [Fact]
    public async Task Mil_recibos_un_cfdi_global_verificado_y_su_reejecucion_no_emite_otro()
    {
        using var admin = await host.ClienteAsync("admin");
        await using (var cn = new NpgsqlConnection(host.ConnectionString))
        {
            await cn.OpenAsync();
            // Three customers with an RFC in the same run still get their individual CFDI.
            await ContratosMasivos.InsertarAsync(cn, 3, "GLOB", "CON RFC", 5);
            await ContratosMasivos.InsertarSinRfcAsync(cn, Recibos, "PUBLICO", apartarOtros: false);
        }
        var corrida = await Corridas.IniciarAsync(admin, "2026-10");
        var fin = await Corridas.EsperarFinAsync(admin, corrida, TimeSpan.FromMinutes(3));
        Assert.Equal("completada", fin.GetProperty("estado").GetString());

        // Receipts: serie NV, gap-free folios of their own, issued without a UUID and never sent to the PAC.
        var r = await host.EscalarAsync<string>("""
            SELECT count(*) || ',' || count(DISTINCT folio) || ',' || (max(folio) - min(folio) + 1) || ',' || count(uuid) || ',' || count(*) FILTER (WHERE estado = 'timbrada')
            FROM facturas WHERE corrida_id = @corrida AND tipo_documento = 'recibo' AND serie = 'NV'
            """, new { corrida });
        Assert.Equal($"{Recibos},{Recibos},{Recibos},0,{Recibos}", r);
        Assert.Equal(3L, await host.EscalarAsync<long>(
            "SELECT count(*) FROM facturas WHERE corrida_id = @corrida AND tipo_documento = 'cfdi' AND uuid IS NOT NULL", new { corrida }));
        Assert.Equal(3L, await host.EscalarAsync<long>("SELECT count(*) FROM pac_emulado_timbres"));
        // Each receipt's taxes are its own (per receipt, not per line): the header adds up.
        Assert.Equal(0L, await host.EscalarAsync<long>(
            "SELECT count(*) FROM facturas WHERE corrida_id = @corrida AND tipo_documento = 'recibo' AND total <> subtotal - descuento + iva + ieps", new { corrida }));

        // The month is not closed yet for SAT (the run is "today"): the receipts are dated in October 2026 to issue its global CFDI.
        await host.EscalarAsync<int>("UPDATE facturas SET fecha_emision = '2026-10-15T18:00:00Z' WHERE corrida_id = @corrida AND tipo_documento = 'recibo'", new { corrida });
        var sumaRecibos = await host.EscalarAsync<decimal>("SELECT sum(total) FROM facturas WHERE corrida_id = @corrida AND tipo_documento = 'recibo'", new { corrida });

        var respuesta = await HostFacturacion.PostAsync(admin, "api/facturacion/globales", new { periodo = "2026-10" });
        var texto = await respuesta.Content.ReadAsStringAsync();
        Assert.True(respuesta.StatusCode == HttpStatusCode.Created, texto);
        var g = JsonDocument.Parse(texto).RootElement.Clone();
        var uuid = g.GetProperty("uuid").GetGuid();
        Assert.Equal(("timbrada", Recibos, sumaRecibos, "04", "10", 2026), (g.GetProperty("estado").GetString(), g.GetProperty("recibos").GetInt32(),
            g.GetProperty("total").GetDecimal(), g.GetProperty("periodicidad").GetString(), g.GetProperty("meses").GetString(), g.GetProperty("anio").GetInt32()));
        Assert.True(g.GetProperty("fueraDePlazo").GetBoolean()); // October 2026's deadline was 2 November

        var xml = await admin.GetStringAsync($"api/facturacion/globales/{uuid}/xml");
        var raiz = XDocument.Parse(xml).Root!;
        var ig = raiz.Element(Cfdi + "InformacionGlobal")!;
        Assert.Equal(("04", "10", "2026"), ((string)ig.Attribute("Periodicidad")!, (string)ig.Attribute("Meses")!, (string)ig.Attribute("Año")!));
        var receptor = raiz.Element(Cfdi + "Receptor")!;
        Assert.Equal(("XAXX010101000", "PUBLICO EN GENERAL", "64000", "616", "S01"), ((string)receptor.Attribute("Rfc")!, (string)receptor.Attribute("Nombre")!,
            (string)receptor.Attribute("DomicilioFiscalReceptor")!, (string)receptor.Attribute("RegimenFiscalReceptor")!, (string)receptor.Attribute("UsoCFDI")!));
        Assert.Equal(("PUE", "I"), ((string)raiz.Attribute("MetodoPago")!, (string)raiz.Attribute("TipoDeComprobante")!));
        var conceptos = raiz.Element(Cfdi + "Conceptos")!.Elements(Cfdi + "Concepto").ToList();
        Assert.Equal(Recibos, conceptos.Count);
        Assert.All(conceptos, c => Assert.Equal(("01010101", "ACT"), ((string)c.Attribute("ClaveProdServ")!, (string)c.Attribute("ClaveUnidad")!)));
        var folios = await host.EscalarAsync<string>(
            "SELECT string_agg('NV-' || folio, ',' ORDER BY folio) FROM facturas WHERE corrida_id = @corrida AND tipo_documento = 'recibo'", new { corrida });
        Assert.Equal(folios, string.Join(",", conceptos.Select(c => (string)c.Attribute("NoIdentificacion")!)));
        Assert.Equal(sumaRecibos, D(raiz, "Total"));
        // Each concept carries its receipt's IVA (the IEPS of TV/telephony is included in the price for the general public, LIEPS
        // art. 19 fr. II); the comprobante's IVA is their sum and equals the receipts' IVA.
        Assert.All(conceptos, c => Assert.Single(c.Descendants(Cfdi + "Traslado"), t => (string?)t.Attribute("Impuesto") == "002"));
        var ivaRecibos = await host.EscalarAsync<decimal>("SELECT sum(iva) FROM facturas WHERE corrida_id = @corrida AND tipo_documento = 'recibo'", new { corrida });
        Assert.Equal(ivaRecibos, conceptos.SelectMany(c => c.Descendants(Cfdi + "Traslado")).Where(t => (string?)t.Attribute("Impuesto") == "002").Sum(t => D(t, "Importe")));
        Assert.Equal(ivaRecibos, D(raiz.Element(Cfdi + "Impuestos")!, "TotalImpuestosTrasladados"));

        // SAT's schema, cadena stylesheet and openssl checks (with the emulated PAC's certificate for SelloSAT).
        var (codigo, salida) = await VerificarAsync(xml);
        Assert.True(codigo == 0, salida);
        Assert.Contains("1 sample(s), 0 FAIL", salida);
        Assert.DoesNotContain("SKIP", salida); // SelloSAT verified too

        // Re-run, with another key: the same CFDI, nothing new at the PAC.
        var otra = await HostFacturacion.PostAsync(admin, "api/facturacion/globales", new { periodo = "2026-10" });
        var otraTexto = await otra.Content.ReadAsStringAsync();
        Assert.True(otra.StatusCode == HttpStatusCode.OK, otraTexto);
        Assert.Equal(uuid, JsonDocument.Parse(otraTexto).RootElement.GetProperty("uuid").GetGuid());
        Assert.Equal(4L, await host.EscalarAsync<long>("SELECT count(*) FROM pac_emulado_timbres"));
        Assert.Equal(1L, await host.EscalarAsync<long>("SELECT count(*) FROM cfdi_globales"));
        Assert.Equal((long)Recibos, await host.EscalarAsync<long>("SELECT count(*) FROM facturas f JOIN cfdi_globales g ON g.id = f.cfdi_global_id WHERE g.uuid = @uuid", new { uuid }));

        // A crash between the PAC's answer and our commit (the row still sealed): the resend gets the original UUID, no second stamp.
        await host.EscalarAsync<int>("UPDATE cfdi_globales SET estado = 'sellada', uuid = NULL, xml_blob = NULL, timbrada_en = NULL WHERE uuid = @uuid", new { uuid });
        var reanudado = await HostFacturacion.PostAsync(admin, "api/facturacion/globales", new { periodo = "2026-10" });
        var reanudadoTexto = await reanudado.Content.ReadAsStringAsync();
        Assert.True(reanudado.StatusCode == HttpStatusCode.OK, reanudadoTexto);
        Assert.Equal(uuid, JsonDocument.Parse(reanudadoTexto).RootElement.GetProperty("uuid").GetGuid());
        Assert.Equal(4L, await host.EscalarAsync<long>("SELECT count(*) FROM pac_emulado_timbres"));

        // The printable receipt names the global CFDI that covers it; the listing shows it too.
        var recibo = await host.EscalarAsync<Guid>("SELECT id FROM facturas WHERE corrida_id = @corrida AND tipo_documento = 'recibo' ORDER BY folio LIMIT 1", new { corrida });
        var html = await admin.GetStringAsync($"api/facturacion/recibos/{recibo}/representacion");
        Assert.Contains("Nota de venta NV-", html);
        Assert.Contains(uuid.ToString().ToUpperInvariant(), html);
        var lista = JsonDocument.Parse(await admin.GetStringAsync("api/facturacion/recibos?periodo=2026-10&tamano=5")).RootElement;
        Assert.Equal(Recibos, lista.GetProperty("total").GetInt32());
        Assert.Equal(uuid, lista.GetProperty("elementos")[0].GetProperty("cfdiGlobalUuid").GetGuid());
        var globales = JsonDocument.Parse(await admin.GetStringAsync("api/facturacion/globales")).RootElement;
        Assert.Equal(1, globales.GetProperty("total").GetInt32());

        // A month that has not closed: 400 naming periodo; a closed month without receipts: 409 sin_recibos.
        var hoy = DateTime.UtcNow.AddHours(-6);
        await Problemas.AfirmarAsync(await HostFacturacion.PostAsync(admin, "api/facturacion/globales", new { periodo = hoy.ToString("yyyy-MM", CultureInfo.InvariantCulture) }),
            HttpStatusCode.BadRequest, "periodo");
        var vacio = await Problemas.AfirmarAsync(await HostFacturacion.PostAsync(admin, "api/facturacion/globales", new { periodo = "2026-09" }), HttpStatusCode.Conflict);
        Assert.Equal("sin_recibos", vacio.GetProperty("code").GetString());
        await Problemas.AfirmarAsync(await HostFacturacion.PostAsync(admin, "api/facturacion/globales", new { periodo = "2026-13" }), HttpStatusCode.BadRequest, "periodo");
    }

    private async Task<(int Codigo, string Salida)> VerificarAsync(string xml)
    {
        var carpeta = Directory.CreateTempSubdirectory("telecable-global-").FullName;
        await File.WriteAllTextAsync(Path.Combine(carpeta, "global.xml"), xml, new UTF8Encoding(false));
        var inicio = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        inicio.ArgumentList.Add(Path.Combine(Telecable.Pruebas.Servicios.DirectorioSat, "verify.sh"));
        inicio.ArgumentList.Add(carpeta);
        inicio.Environment["TFDCERTS"] = host.Tfdcerts;
        using var p = Process.Start(inicio)!;
        var salida = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode, await salida + await error);
    }
}
