using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Xml.Linq;
using Microsoft.Extensions.DependencyInjection;
using Telecable.Application.Facturacion;
using Telecable.IntegrationTests.Infraestructura;
using Telecable.IntegrationTests.Pagos;

namespace Telecable.IntegrationTests.Facturacion;

/// <summary>Credit notes (CFDI E) against a PPD invoice with IEPS through POST /api/facturacion/{uuid}/notas-credito: partial
/// credits by amount and by lines with their taxes in proportion, the balance they reduce, credit over the balance, exactly one
/// stamp across a crash, the payment path netting them out, and every note through SAT's verify.sh.</summary>
[Collection(ColeccionPagos.Nombre)]
public sealed class NotasCreditoTests(HostPagos host)
{
    private static readonly XNamespace Cfdi = "http://www.sat.gob.mx/cfd/4";
    private static readonly XNamespace P = "http://www.sat.gob.mx/Pagos20";

    private static HttpRequestMessage Post(Guid factura, object cuerpo, string? clave = null)
    {
        var r = new HttpRequestMessage(HttpMethod.Post, $"api/facturacion/{factura}/notas-credito") { Content = JsonContent.Create(cuerpo) };
        r.Headers.Add("Idempotency-Key", clave ?? Guid.NewGuid().ToString("N"));
        return r;
    }

    private static async Task<JsonElement> EmitidaAsync(HttpClient c, Guid factura, object cuerpo, string? clave = null)
    {
        var r = await c.SendAsync(Post(factura, cuerpo, clave));
        var texto = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, texto);
        var nota = JsonDocument.Parse(texto).RootElement.Clone();
        Assert.Equal("timbrada", nota.GetProperty("estado").GetString());
        return nota;
    }

    private static decimal D(XElement e, string a) => decimal.Parse((string)e.Attribute(a)!, CultureInfo.InvariantCulture);

    private static decimal Traslado(XElement raiz, string impuesto, string que = "Importe") =>
        raiz.Element(Cfdi + "Impuestos")?.Element(Cfdi + "Traslados")?.Elements(Cfdi + "Traslado")
            .Where(t => (string?)t.Attribute("Impuesto") == impuesto).Sum(t => D(t, que)) ?? 0m;

    [Fact]
    public async Task Notas_parciales_por_monto_y_por_lineas_reducen_el_saldo_con_impuestos_proporcionales_y_no_exceden_el_saldo()
    {
        using var cobranzas = await host.ClienteAsync("cobranzas");
        var (cliente, factura, folio) = await DatosPagos.FacturaConIepsAsync(host);
        var uuid = await host.EscalarAsync<Guid>("SELECT uuid FROM facturas WHERE id = @factura", new { factura });

        // 100.00 of 654.82, spread over TV (IEPS 3 % + IVA) and internet (IVA) in proportion to each line's gross amount.
        var n1 = await EmitidaAsync(cobranzas, uuid, new { monto = 100.00m, motivo = "Falla de servicio del 3 al 5" });
        Assert.Equal(100.00m, n1.GetProperty("total").GetDecimal());
        // By lines: 50.00 of base on internet (line 2): IVA only.
        var n2 = await EmitidaAsync(cobranzas, uuid, new { lineas = new[] { new { linea = 2, importe = 50.00m } }, motivo = "Bonificación de velocidad" });
        Assert.Equal((50.00m, 8.00m, 0m, 58.00m), (n2.GetProperty("subtotal").GetDecimal(), n2.GetProperty("iva").GetDecimal(),
            n2.GetProperty("ieps").GetDecimal(), n2.GetProperty("total").GetDecimal()));

        // Over the balance (654.82 - 158.00 = 496.82): 409 by amount; more than a line has left: 400 naming the line.
        var excede = await Problemas.AfirmarAsync(await cobranzas.SendAsync(Post(uuid, new { monto = 496.83m, motivo = "Demasiado" })), HttpStatusCode.Conflict);
        Assert.Equal("excede_saldo", excede.GetProperty("code").GetString());
        await Problemas.AfirmarAsync(await cobranzas.SendAsync(Post(uuid, new { lineas = new[] { new { linea = 2, importe = 400.00m } }, motivo = "x" })),
            HttpStatusCode.BadRequest, "lineas[0].importe");
        Assert.Equal(158.00m, await host.EscalarAsync<decimal>("SELECT acreditado FROM facturas WHERE id = @factura", new { factura }));

        // The rest, line by line: TV 150.00 - 22.91 and internet 410.00 - 62.60 - 50.00.
        var n3 = await EmitidaAsync(cobranzas, uuid, new
        {
            lineas = new[] { new { linea = 1, importe = 127.09m }, new { linea = 2, importe = 297.40m } },
            motivo = "Baja del servicio",
        });
        Assert.Equal(496.82m, n3.GetProperty("total").GetDecimal());
        Assert.Equal(("pagada", 654.82m), (await host.EscalarAsync<string>("SELECT estado FROM facturas WHERE id = @factura", new { factura }),
            await host.EscalarAsync<decimal>("SELECT acreditado FROM facturas WHERE id = @factura", new { factura })));
        var nada = await Problemas.AfirmarAsync(await cobranzas.SendAsync(Post(uuid, new { monto = 0.01m, motivo = "Más" })), HttpStatusCode.Conflict);
        Assert.Equal("excede_saldo", nada.GetProperty("code").GetString());

        var xmls = new List<string>();
        foreach (var n in new[] { n1, n2, n3 })
        {
            var r = await cobranzas.GetAsync($"api/facturacion/notas-credito/{n.GetProperty("uuid").GetGuid()}/xml");
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            xmls.Add(await r.Content.ReadAsStringAsync());
        }
        var raices = xmls.Select(x => XDocument.Parse(x).Root!).ToList();
        foreach (var raiz in raices)
        {
            Assert.Equal(("E", "PUE", "17", "NC"), ((string?)raiz.Attribute("TipoDeComprobante"), (string?)raiz.Attribute("MetodoPago"),
                (string?)raiz.Attribute("FormaPago"), (string?)raiz.Attribute("Serie")));
            var rel = raiz.Element(Cfdi + "CfdiRelacionados")!;
            Assert.Equal(("01", uuid.ToString().ToUpperInvariant()), ((string?)rel.Attribute("TipoRelacion"), (string?)rel.Element(Cfdi + "CfdiRelacionado")!.Attribute("UUID")));
            var receptor = raiz.Element(Cfdi + "Receptor")!;
            Assert.Equal((DatosPagos.NombreFacturado, "XOJI740919U48", "G02"),
                ((string?)receptor.Attribute("Nombre"), (string?)receptor.Attribute("Rfc"), (string?)receptor.Attribute("UsoCFDI")));
            Assert.All(raiz.Descendants(Cfdi + "Concepto"), c => Assert.Equal(("84111506", "ACT"), ((string?)c.Attribute("ClaveProdServ"), (string?)c.Attribute("ClaveUnidad"))));
        }
        // First note: each tax in proportion to the credited share (100.00 / 654.82 = 15.27 %) of its base.
        var proporcion = 100.00m / 654.82m;
        Assert.InRange(Traslado(raices[0], "003", "Base") / 150.00m, proporcion - 0.001m, proporcion + 0.001m);
        Assert.InRange(Traslado(raices[0], "002", "Base") / 564.50m, proporcion - 0.001m, proporcion + 0.001m);
        // All notes together credit exactly the invoice's taxes: IEPS 4.50 and IVA 90.32.
        Assert.Equal((4.50m, 90.32m), (raices.Sum(r => Traslado(r, "003")), raices.Sum(r => Traslado(r, "002"))));

        var (codigo, salida) = await host.VerificarSatAsync(xmls);
        Assert.True(codigo == 0, salida);
        Assert.Equal(3, salida.Split('\n').Count(l => l.StartsWith("PASS tfd ", StringComparison.Ordinal)));

        // Listed with the invoice, for its owner; the printable copy says what it is; another customer gets 404.
        var dueno = host.TokenPara("dueno-nc", ["cliente"], clienteId: cliente);
        var otro = host.TokenPara("otro-nc", ["cliente"], clienteId: Guid.NewGuid());
        var lista = await Get($"api/facturacion/{uuid}/notas-credito", dueno);
        Assert.Equal(HttpStatusCode.OK, lista.StatusCode);
        Assert.Equal(3, JsonDocument.Parse(await lista.Content.ReadAsStringAsync()).RootElement.GetProperty("elementos").GetArrayLength());
        var ultimas = JsonDocument.Parse(await (await Get("api/facturacion/ultimas?tamano=200", dueno)).Content.ReadAsStringAsync()).RootElement;
        var f = ultimas.GetProperty("elementos").EnumerateArray().Single(e => e.GetProperty("id").GetGuid() == factura);
        Assert.Equal((3, 654.82m), (f.GetProperty("notasCredito").GetArrayLength(), f.GetProperty("acreditado").GetDecimal()));
        var html = await (await Get($"api/facturacion/notas-credito/{n1.GetProperty("uuid").GetGuid()}/representacion", dueno)).Content.ReadAsStringAsync();
        Assert.Contains($"Nota de crédito NC-{n1.GetProperty("folio").GetInt64()}", html);
        Assert.Contains(uuid.ToString().ToUpperInvariant(), html);
        await Problemas.AfirmarAsync(await Get($"api/facturacion/notas-credito/{n1.GetProperty("uuid").GetGuid()}/xml", otro), HttpStatusCode.NotFound);
        await Problemas.AfirmarAsync(await Get($"api/facturacion/{uuid}/notas-credito", otro), HttpStatusCode.NotFound);
        _ = folio;
    }

    [Fact]
    public async Task Una_nota_se_timbra_una_sola_vez_aun_tras_una_caida_y_el_pago_posterior_cubre_solo_el_saldo_neto()
    {
        using var cobranzas = await host.ClienteAsync("cobranzas");
        var (cliente, factura, _) = await DatosPagos.FacturaConIepsAsync(host);
        var uuid = await host.EscalarAsync<Guid>("SELECT uuid FROM facturas WHERE id = @factura", new { factura });
        var clave = Guid.NewGuid().ToString("N");
        var cuerpo = new { monto = 50.00m, motivo = "Anticipo recibido", tipoRelacion = "07" };
        var nota = await EmitidaAsync(cobranzas, uuid, cuerpo, clave);
        var otra = await EmitidaAsync(cobranzas, uuid, cuerpo, clave);
        Assert.Equal(nota.GetProperty("id").GetGuid(), otra.GetProperty("id").GetGuid());
        var id = nota.GetProperty("id").GetGuid();
        var original = nota.GetProperty("uuid").GetGuid();
        var timbres = await host.EscalarAsync<long>("SELECT count(*) FROM pac_emulado_timbres");

        // What a crash between the PAC's answer and our commit leaves: the sealed note, no UUID recorded.
        await host.EscalarAsync<int>("UPDATE notas_credito SET uuid = NULL, estado = 'sellada', xml_blob = NULL, timbrada_en = NULL WHERE id = @id; SELECT 1", new { id });
        var actor = await host.EscalarAsync<string>("SELECT actor FROM notas_credito WHERE id = @id", new { id });
        var r = await host.Servicios.GetRequiredService<IServicioNotasCredito>().EmitirAsync(uuid,
            new SolicitudNotaCredito(50.00m, null, "Anticipo recibido", "07"), new ContextoNotaCredito(clave, ContextoNotaCredito.Manual, actor!, "prueba"), CancellationToken.None);
        Assert.Equal((id, original, "timbrada"), (r.Nota.Id, r.Nota.Uuid!.Value, r.Nota.Estado));
        Assert.Equal(timbres, await host.EscalarAsync<long>("SELECT count(*) FROM pac_emulado_timbres"));
        Assert.Equal((1L, 50.00m), (await host.EscalarAsync<long>("SELECT count(*) FROM notas_credito WHERE factura_id = @factura", new { factura }),
            await host.EscalarAsync<decimal>("SELECT acreditado FROM facturas WHERE id = @factura", new { factura })));
        // Left sealed again and nobody retries: the timer's sweep re-sends it, same UUID again.
        await host.EscalarAsync<int>("UPDATE notas_credito SET uuid = NULL, estado = 'sellada', xml_blob = NULL, timbrada_en = NULL, created_at = now() - interval '10 minutes' WHERE id = @id; SELECT 1", new { id });
        Assert.True(await host.Servicios.GetRequiredService<IServicioNotasCredito>().ReanudarSelladasAsync(TimeSpan.FromMinutes(5), "prueba", CancellationToken.None) >= 1);
        Assert.Equal(("timbrada", original), (await host.EscalarAsync<string>("SELECT estado FROM notas_credito WHERE id = @id", new { id }),
            await host.EscalarAsync<Guid>("SELECT uuid FROM notas_credito WHERE id = @id", new { id })));
        Assert.Equal(timbres, await host.EscalarAsync<long>("SELECT count(*) FROM pac_emulado_timbres"));
        var xml = XDocument.Parse(await (await cobranzas.GetAsync($"api/facturacion/notas-credito/{original}/xml")).Content.ReadAsStringAsync()).Root!;
        Assert.Equal(("07", "30"), ((string?)xml.Element(Cfdi + "CfdiRelacionados")!.Attribute("TipoRelacion"), (string?)xml.Attribute("FormaPago")));

        // Paying the invoice now pays its balance net of the note (654.82 - 50.00), and the complement says so.
        Assert.Equal(50.00m, nota.GetProperty("total").GetDecimal());
        var pago = await cobranzas.SendAsync(DatosPagos.PostPago(new { clienteId = cliente, monto = 604.82m, metodo = "spei", facturas = new[] { factura } }, Guid.NewGuid().ToString("N")));
        var pagoId = JsonDocument.Parse(await pago.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetGuid();
        Assert.Contains("completado", (await host.EsperarProcesoAsync(pagoId)).SerializedOutput);
        Assert.Equal("pagada", await host.EscalarAsync<string>("SELECT estado FROM facturas WHERE id = @factura", new { factura }));
        Assert.Equal(0m, await host.EscalarAsync<decimal>("SELECT coalesce(sum(monto), 0) FROM movimientos_saldo WHERE pago_id = @pagoId", new { pagoId }));
        var blob = await host.EscalarAsync<string>("SELECT xml_blob FROM complementos_pago WHERE pago_id = @pagoId AND estado = 'timbrado'", new { pagoId });
        var complemento = (await host.Servicios.GetRequiredService<Telecable.Infrastructure.Almacen.AlmacenBlobs>().DescargarAsync(blob!, CancellationToken.None))!.ToString();
        var docto = XDocument.Parse(complemento).Descendants(P + "DoctoRelacionado").Single();
        Assert.Equal(("604.82", "604.82", "0.00"), ((string?)docto.Attribute("ImpSaldoAnt"), (string?)docto.Attribute("ImpPagado"), (string?)docto.Attribute("ImpSaldoInsoluto")));

        var notaXml = await (await cobranzas.GetAsync($"api/facturacion/notas-credito/{original}/xml")).Content.ReadAsStringAsync();
        var (codigo, salida) = await host.VerificarSatAsync([notaXml, complemento]);
        Assert.True(codigo == 0, salida);
    }

    [Fact]
    public async Task Una_solicitud_mal_formada_nombra_el_campo_y_no_escribe_nada()
    {
        using var cobranzas = await host.ClienteAsync("cobranzas");
        var (_, factura, _) = await DatosPagos.FacturaConIepsAsync(host);
        var uuid = await host.EscalarAsync<Guid>("SELECT uuid FROM facturas WHERE id = @factura", new { factura });
        await Problemas.AfirmarAsync(await cobranzas.SendAsync(Post(uuid, new { monto = 10m })), HttpStatusCode.BadRequest, "motivo");
        await Problemas.AfirmarAsync(await cobranzas.SendAsync(Post(uuid, new { monto = 10m, lineas = new[] { new { linea = 1, importe = 1m } }, motivo = "x" })),
            HttpStatusCode.BadRequest, "monto");
        await Problemas.AfirmarAsync(await cobranzas.SendAsync(Post(uuid, new { monto = 10.001m, motivo = "x" })), HttpStatusCode.BadRequest, "monto");
        await Problemas.AfirmarAsync(await cobranzas.SendAsync(Post(uuid, new { monto = 10m, motivo = "x", tipoRelacion = "04" })), HttpStatusCode.BadRequest, "tipoRelacion");
        await Problemas.AfirmarAsync(await cobranzas.SendAsync(Post(uuid, new { lineas = new[] { new { linea = 9, importe = 1m } }, motivo = "x" })),
            HttpStatusCode.BadRequest, "lineas[0].linea");
        await Problemas.AfirmarAsync(await cobranzas.SendAsync(Post(Guid.NewGuid(), new { monto = 10m, motivo = "x" })), HttpStatusCode.NotFound);
        var sinClave = new HttpRequestMessage(HttpMethod.Post, $"api/facturacion/{uuid}/notas-credito") { Content = JsonContent.Create(new { monto = 10m, motivo = "x" }) };
        await Problemas.AfirmarAsync(await cobranzas.SendAsync(sinClave), HttpStatusCode.BadRequest, "Idempotency-Key");
        var soporte = Post(uuid, new { monto = 10m, motivo = "x" });
        soporte.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", host.TokenPara("soporte", ["soporte"]));
        await Problemas.AfirmarAsync(await host.Http.SendAsync(soporte), HttpStatusCode.Forbidden);
        Assert.Equal(0L, await host.EscalarAsync<long>("SELECT count(*) FROM notas_credito WHERE factura_id = @factura", new { factura }));
    }

    [Fact]
    public async Task Un_ajuste_de_cortesia_exige_motivo_emite_su_nota_y_queda_en_la_linea_de_tiempo_del_cliente()
    {
        using var cobranzas = await host.ClienteAsync("cobranzas");
        var (cliente, factura, _) = await DatosPagos.FacturaConIepsAsync(host);
        var (_, ajena, _) = await DatosPagos.FacturaConIepsAsync(host);
        var uuidAjena = await host.EscalarAsync<Guid>("SELECT uuid FROM facturas WHERE id = @ajena", new { ajena });
        HttpRequestMessage Ajuste(object cuerpo)
        {
            var r = new HttpRequestMessage(HttpMethod.Post, $"api/clientes/{cliente}/ajustes-cortesia") { Content = JsonContent.Create(cuerpo) };
            r.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
            return r;
        }

        await Problemas.AfirmarAsync(await cobranzas.SendAsync(Ajuste(new { monto = 25.00m })), HttpStatusCode.BadRequest, "motivo");
        await Problemas.AfirmarAsync(await cobranzas.SendAsync(Ajuste(new { monto = 25.00m, motivo = "x", facturaUuid = uuidAjena })), HttpStatusCode.NotFound);
        var r = await cobranzas.SendAsync(Ajuste(new { monto = 25.00m, motivo = "Cortesía por retraso en la instalación" }));
        var texto = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.Created, texto);
        var nota = JsonDocument.Parse(texto).RootElement;
        Assert.Equal(("cortesia", "timbrada"), (nota.GetProperty("origen").GetString(), nota.GetProperty("estado").GetString()));
        // The amount to the cent when the taxes' rounding allows it, else a cent short (never more than asked).
        Assert.InRange(nota.GetProperty("total").GetDecimal(), 24.99m, 25.00m);
        Assert.Equal(nota.GetProperty("total").GetDecimal(), await host.EscalarAsync<decimal>("SELECT acreditado FROM facturas WHERE id = @factura", new { factura }));

        var auditoria = await host.ConsultarAsync<(string Actor, string Origen, string Motivo)>("""
            SELECT actor, payload->>'origen', payload->>'motivo' FROM eventos_sistema
            WHERE entidad = 'cliente' AND entidad_id = @c AND tipo = 'NotaCreditoSellada'
            """, new { c = cliente.ToString() });
        Assert.Equal(("cortesia", "Cortesía por retraso en la instalación"), (auditoria.Single().Origen, auditoria.Single().Motivo));
        Assert.False(string.IsNullOrWhiteSpace(auditoria.Single().Actor));
    }

    private Task<HttpResponseMessage> Get(string ruta, string token)
    {
        var req = new HttpRequestMessage(HttpMethod.Get, ruta);
        req.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return host.Http.SendAsync(req);
    }
}
