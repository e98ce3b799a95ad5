using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Xml.Linq;
using Microsoft.Extensions.DependencyInjection;
using Telecable.Infrastructure.Facturacion;
using Telecable.IntegrationTests.Infraestructura;

namespace Telecable.IntegrationTests.Facturacion;

/// <summary>
/// SAT's cancellation rules end to end (issue 17): motive 01 only through the substitution operation (substitute with
/// CfdiRelacionados 04, stamped once, original cancelled naming it, every CFDI through verify.sh); a paid PPD invoice
/// cancelled in sequence (its complement first, reversing the payment); and a cancellation above 1,000 MXN that waits
/// for the receptor, accepted or rejected in the emulated PAC. Each test bills its own period.
/// </summary>
public sealed class SustitucionYCancelacionTests(HostFacturacion host) : IClassFixture<HostFacturacion>
{
    private static readonly XNamespace Cfdi = "http://www.sat.gob.mx/cfd/4";

    private async Task<IReadOnlyList<(Guid Uuid, decimal Total)>> FacturasAsync(string periodo)
    {
        await using var cn = new Npgsql.NpgsqlConnection(host.ConnectionString);
        return (await Dapper.SqlMapper.QueryAsync<(Guid, decimal)>(cn,
            "SELECT uuid, total FROM facturas WHERE periodo = @p::date AND estado = 'timbrada' ORDER BY folio", new { p = periodo + "-01" })).ToList();
    }

    private Task<string?> EstadoAsync(Guid uuid) => host.EscalarAsync<string>("SELECT estado FROM facturas WHERE uuid = @uuid", new { uuid });

    [Fact]
    public async Task La_sustitucion_emite_el_CFDI_04_una_vez_y_cancela_el_original_con_motivo_01()
    {
        using var admin = await host.ClienteAsync("admin");
        using var cobranzas = await host.ClienteAsync("cobranzas");
        await host.InsertarContratosAsync(6, "SUST");
        await host.CorrerAsync(admin, "2027-01");
        var original = (await FacturasAsync("2027-01")).First(f => f.Total <= 1000m).Uuid;
        var rfc = await host.EscalarAsync<string>("SELECT receptor_rfc FROM facturas WHERE uuid = @original", new { original });
        var timbresAntes = await host.EscalarAsync<long>("SELECT count(*) FROM pac_emulado_timbres");

        // The bare motive 01 is refused; the substitution is the way, with the receptor's corrected name.
        await Problemas.AfirmarAsync(await HostFacturacion.PostAsync(cobranzas, $"api/facturacion/{original}/cancelacion", new { motivo = "01" }),
            HttpStatusCode.BadRequest, "motivo");
        var r = await HostFacturacion.PostAsync(cobranzas, $"api/facturacion/{original}/sustitucion", new { nombre = "CLIENTE CORREGIDO" });
        var texto = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.Created, texto);
        var cuerpo = JsonDocument.Parse(texto).RootElement;
        var sustituto = cuerpo.GetProperty("sustituto").GetGuid();
        Assert.Equal("cancelada", cuerpo.GetProperty("estadoOriginal").GetString());
        Assert.Equal($"/api/facturacion/{sustituto}/xml", r.Headers.Location!.ToString());

        // The original: cancelled with 01 naming the substitute; the substitute: same receptor, same amounts, relation 04.
        Assert.Equal("cancelada", await EstadoAsync(original));
        Assert.Equal("01", await host.EscalarAsync<string>("SELECT motivo_cancelacion FROM facturas WHERE uuid = @original", new { original }));
        Assert.Equal(sustituto, await host.EscalarAsync<Guid>("SELECT folio_sustitucion FROM facturas WHERE uuid = @original", new { original }));
        Assert.Equal("timbrada", await EstadoAsync(sustituto));
        var xml = XDocument.Parse(await admin.GetStringAsync($"api/facturacion/{sustituto}/xml")).Root!;
        var relacion = xml.Element(Cfdi + "CfdiRelacionados")!;
        Assert.Equal("04", (string?)relacion.Attribute("TipoRelacion"));
        Assert.Equal(original.ToString().ToUpperInvariant(), (string?)relacion.Element(Cfdi + "CfdiRelacionado")!.Attribute("UUID"));
        Assert.Equal((rfc, "CLIENTE CORREGIDO"), ((string?)xml.Element(Cfdi + "Receptor")!.Attribute("Rfc"), (string?)xml.Element(Cfdi + "Receptor")!.Attribute("Nombre")));
        Assert.Equal(await host.EscalarAsync<decimal>("SELECT total FROM facturas WHERE uuid = @original", new { original }), (decimal)xml.Attribute("Total")!);
        Assert.Equal(timbresAntes + 1, await host.EscalarAsync<long>("SELECT count(*) FROM pac_emulado_timbres"));

        // Repeating it (another key) resumes the same substitute: no second CFDI, no second stamp.
        var otra = JsonDocument.Parse(await (await HostFacturacion.PostAsync(cobranzas, $"api/facturacion/{original}/sustitucion", new { })).Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(sustituto, otra.GetProperty("sustituto").GetGuid());
        Assert.Equal(1, await host.EscalarAsync<long>("SELECT count(*) FROM facturas WHERE sustituye_id = (SELECT id FROM facturas WHERE uuid = @original)", new { original }));
        Assert.Equal(timbresAntes + 1, await host.EscalarAsync<long>("SELECT count(*) FROM pac_emulado_timbres"));
        // A substituted period is not billed again.
        Assert.Equal(0, (await host.CorrerAsync(admin, "2027-01")).GetProperty("total").GetInt32());

        // Roles and bad input.
        using var cliente = await host.ClienteAsync("cliente");
        await Problemas.AfirmarAsync(await HostFacturacion.PostAsync(cliente, $"api/facturacion/{sustituto}/sustitucion", new { }), HttpStatusCode.Forbidden);
        await Problemas.AfirmarAsync(await HostFacturacion.PostAsync(cobranzas, $"api/facturacion/{Guid.NewGuid()}/sustitucion", new { }), HttpStatusCode.NotFound);
        await Problemas.AfirmarAsync(await HostFacturacion.PostAsync(cobranzas, "api/facturacion/no-es-uuid/sustitucion", new { }), HttpStatusCode.BadRequest, "uuid");

        // Every CFDI of the period, the substitute and the cancelled original included, passes SAT's checks.
        var (codigo, salida, archivos) = await host.VerificarPeriodoAsync(admin, "2027-01");
        Assert.True(codigo == 0, salida);
        Assert.Equal(archivos, salida.Split('\n').Count(l => l.StartsWith("PASS tfd", StringComparison.Ordinal)));
    }

    /// <summary>Found by FuzzTests (seed 35970846): substituting a demo overdue invoice (a UUID and amounts, no XML or concept
    /// rows, like imported history) answered 500. It is a 409 that says why, and nothing is written.</summary>
    [Fact]
    public async Task Una_factura_sin_su_CFDI_en_el_almacen_no_se_sustituye_y_se_dice_por_que()
    {
        using var admin = await host.ClienteAsync("admin");
        const string demo = "d3b07384-d9a0-4c9b-8d5e-6a1f2c3b4d01";
        var folios = await host.EscalarAsync<long>("SELECT ultimo_folio FROM series_folios WHERE serie = 'A'");
        var p = await Problemas.AfirmarAsync(await HostFacturacion.PostAsync(admin, $"api/facturacion/{demo}/sustitucion", new { }), HttpStatusCode.Conflict);
        Assert.Equal("cfdi_no_disponible", p.GetProperty("code").GetString());
        Assert.Equal("timbrada", await EstadoAsync(Guid.Parse(demo)));
        Assert.Equal(0, await host.EscalarAsync<long>($"SELECT count(*) FROM facturas WHERE sustituye_id = (SELECT id FROM facturas WHERE uuid = '{demo}')"));
        Assert.Equal(folios, await host.EscalarAsync<long>("SELECT ultimo_folio FROM series_folios WHERE serie = 'A'"));
    }

    [Fact]
    public async Task Una_factura_pagada_se_cancela_en_secuencia_primero_su_complemento_revirtiendo_el_pago()
    {
        using var admin = await host.ClienteAsync("admin");
        using var cobranzas = await host.ClienteAsync("cobranzas");
        await host.InsertarContratosAsync(6, "SECU");
        await host.CorrerAsync(admin, "2027-03");
        var factura = (await FacturasAsync("2027-03")).First(f => f.Total <= 1000m).Uuid;
        var pago = JsonDocument.Parse(await (await cobranzas.PatchAsync($"api/facturacion/{factura}/pagar", JsonContent.Create(new { metodo = "spei" })))
            .Content.ReadAsStringAsync()).RootElement.GetProperty("pagoId").GetGuid();
        // PATCH answers once applied or after 30 s; the complement is the saga's next step: wait for both (a loaded machine is slow).
        for (var i = 0; i < 600 && (await EstadoAsync(factura) != "pagada"
                 || await host.EscalarAsync<string>("SELECT estado FROM complementos_pago WHERE pago_id = @pago", new { pago }) != "timbrado"); i++)
            await Task.Delay(250);
        Assert.Equal("pagada", await EstadoAsync(factura));

        // The invoice answers with the sequence: the complement first.
        var p = await Problemas.AfirmarAsync(await HostFacturacion.PostAsync(cobranzas, $"api/facturacion/{factura}/cancelacion", new { motivo = "02" }), HttpStatusCode.Conflict);
        Assert.Equal("complementos_activos", p.GetProperty("code").GetString());
        Assert.Contains($"POST /api/pagos/{pago}/complemento/cancelacion", p.GetProperty("detail").GetString());

        var r = await HostFacturacion.PostAsync(cobranzas, $"api/pagos/{pago}/complemento/cancelacion", new { });
        var texto = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.OK, texto);
        var rev = JsonDocument.Parse(texto).RootElement;
        Assert.Equal(("cancelado", "confirmado"), (rev.GetProperty("estadoComplemento").GetString(), rev.GetProperty("estadoPago").GetString()));
        Assert.Equal([factura], rev.GetProperty("facturasReabiertas").EnumerateArray().Select(e => e.GetGuid()));
        // The payment is no longer applied: the invoice owes its total again and the PAC holds the complement cancelled.
        Assert.Equal("timbrada", await EstadoAsync(factura));
        Assert.Equal(0, await host.EscalarAsync<long>("SELECT count(*) FROM pago_aplicaciones WHERE pago_id = @pago", new { pago }));
        Assert.Equal(1, await host.EscalarAsync<long>(
            "SELECT count(*) FROM pac_emulado_timbres t JOIN complementos_pago c ON upper(c.uuid::text) = t.uuid WHERE c.pago_id = @pago AND t.cancelado_en IS NOT NULL", new { pago }));
        // Repeating the step changes nothing; then the invoice itself is cancelled.
        Assert.Equal(HttpStatusCode.OK, (await HostFacturacion.PostAsync(cobranzas, $"api/pagos/{pago}/complemento/cancelacion", new { })).StatusCode);
        var c = await HostFacturacion.PostAsync(cobranzas, $"api/facturacion/{factura}/cancelacion", new { motivo = "02" });
        Assert.True(c.StatusCode == HttpStatusCode.OK, await c.Content.ReadAsStringAsync());
        Assert.Equal("cancelada", await EstadoAsync(factura));
        await Problemas.AfirmarAsync(await HostFacturacion.PostAsync(cobranzas, $"api/pagos/{Guid.NewGuid()}/complemento/cancelacion", new { }), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Arriba_de_1000_la_cancelacion_espera_al_receptor_que_la_acepta_o_la_rechaza()
    {
        using var admin = await host.ClienteAsync("admin");
        using var cobranzas = await host.ClienteAsync("cobranzas");
        await host.InsertarContratosAsync(9, "ACEP");
        await host.CorrerAsync(admin, "2027-02");
        var facturas = await FacturasAsync("2027-02");
        var grandes = facturas.Where(f => f.Total > 1000m).Select(f => f.Uuid).ToList();
        Assert.True(grandes.Count >= 2, "El triple play rebasa 1,000 MXN.");
        var (acepta, rechaza, chica) = (grandes[0], grandes[1], facturas.First(f => f.Total <= 1000m).Uuid);
        var pendientes = host.Servicios.GetRequiredService<ServicioCancelacionesPendientes>();

        async Task<JsonElement> CancelarAsync(Guid u)
        {
            var r = await HostFacturacion.PostAsync(cobranzas, $"api/facturacion/{u}/cancelacion", new { motivo = "02" });
            var t = await r.Content.ReadAsStringAsync();
            Assert.True(r.StatusCode == HttpStatusCode.OK, t);
            return JsonDocument.Parse(t).RootElement;
        }

        Assert.Equal("cancelada", (await CancelarAsync(chica)).GetProperty("estado").GetString());
        Assert.Equal("cancelacion_pendiente", (await CancelarAsync(acepta)).GetProperty("estado").GetString());
        Assert.Equal("cancelacion_pendiente", (await CancelarAsync(rechaza)).GetProperty("estado").GetString());
        // Waiting: still in force, neither payable nor cancelled; asking again answers the same; another motive conflicts.
        Assert.Equal("cancelacion_pendiente", (await CancelarAsync(acepta)).GetProperty("estado").GetString());
        await Problemas.AfirmarAsync(await cobranzas.PatchAsync($"api/facturacion/{acepta}/pagar", null), HttpStatusCode.Conflict);
        await Problemas.AfirmarAsync(await HostFacturacion.PostAsync(cobranzas, $"api/facturacion/{acepta}/cancelacion", new { motivo = "03" }), HttpStatusCode.Conflict);
        await pendientes.ActualizarAsync("prueba", CancellationToken.None);
        Assert.Equal("cancelacion_pendiente", await EstadoAsync(acepta));

        // The receptor answers through the emulated PAC's endpoint (admin only; docs/facturacion.md), each outcome once.
        async Task<JsonElement> ResponderAsync(Guid u, bool si, HttpStatusCode esperado = HttpStatusCode.OK)
        {
            var r = await HostFacturacion.PostAsync(admin, $"api/pac-emulado/cancelaciones/{u}/respuesta", new { acepta = si });
            var t = await r.Content.ReadAsStringAsync();
            Assert.True(r.StatusCode == esperado, t);
            return JsonDocument.Parse(t).RootElement;
        }
        await Problemas.AfirmarAsync(await HostFacturacion.PostAsync(cobranzas, $"api/pac-emulado/cancelaciones/{acepta}/respuesta", new { acepta = true }), HttpStatusCode.Forbidden);
        await Problemas.AfirmarAsync(await HostFacturacion.PostAsync(admin, $"api/pac-emulado/cancelaciones/{acepta}/respuesta", new { }), HttpStatusCode.BadRequest, "acepta");
        await Problemas.AfirmarAsync(await HostFacturacion.PostAsync(admin, "api/pac-emulado/cancelaciones/x/respuesta", new { acepta = true }), HttpStatusCode.BadRequest, "uuid");
        await Problemas.AfirmarAsync(await HostFacturacion.PostAsync(admin, $"api/pac-emulado/cancelaciones/{chica}/respuesta", new { acepta = true }), HttpStatusCode.NotFound);
        var aceptada = await ResponderAsync(acepta, si: true);
        Assert.Equal(("aceptada", "cancelada"), (aceptada.GetProperty("respuesta").GetString(), aceptada.GetProperty("estadoFactura").GetString()));
        var rechazada = await ResponderAsync(rechaza, si: false);
        Assert.Equal(("rechazada", "timbrada"), (rechazada.GetProperty("respuesta").GetString(), rechazada.GetProperty("estadoFactura").GetString()));
        // The same answer again changes nothing; the other answer is a conflict (the receptor answers once).
        Assert.Equal("cancelada", (await ResponderAsync(acepta, si: true)).GetProperty("estadoFactura").GetString());
        var otra = await Problemas.AfirmarAsync(await HostFacturacion.PostAsync(admin, $"api/pac-emulado/cancelaciones/{rechaza}/respuesta", new { acepta = true }), HttpStatusCode.Conflict);
        Assert.Equal("ya_respondida", otra.GetProperty("code").GetString());
        // The timer's pass after it finds nothing left to do.
        var (canceladas, rechazadas, _) = await pendientes.ActualizarAsync("prueba", CancellationToken.None);
        Assert.Equal((0, 0), (canceladas, rechazadas));
        Assert.Equal(1, await host.EscalarAsync<long>("SELECT count(*) FROM pac_emulado_timbres WHERE uuid = @u AND cancelado_en IS NOT NULL", new { u = acepta.ToString().ToUpperInvariant() }));

        Assert.Equal("cancelada", await EstadoAsync(acepta));
        Assert.Equal(1, await host.EscalarAsync<long>("SELECT count(*) FROM outbox WHERE tipo = 'FacturaCancelada' AND agregado_id = (SELECT id::text FROM facturas WHERE uuid = @acepta)", new { acepta }));
        // Rejected: back in force, no motive left, and its balance is due (it can be paid).
        Assert.Equal("timbrada", await EstadoAsync(rechaza));
        Assert.Null(await host.EscalarAsync<string>("SELECT motivo_cancelacion FROM facturas WHERE uuid = @rechaza", new { rechaza }));
        Assert.Equal(1, await host.EscalarAsync<long>("SELECT count(*) FROM outbox WHERE tipo = 'CancelacionFacturaRechazada' AND agregado_id = (SELECT id::text FROM facturas WHERE uuid = @rechaza)", new { rechaza }));
        var pagada = JsonDocument.Parse(await (await cobranzas.PatchAsync($"api/facturacion/{rechaza}/pagar", null)).Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("pagada", pagada.GetProperty("estado").GetString());
    }
    [Fact]
    public async Task Los_paquetes_exentan_internet_hasta_30_por_ciento_y_el_IEPS_se_desglosa_solo_a_quien_lo_pide()
    {
        using var admin = await host.ClienteAsync("admin");
        var contratos = await host.InsertarContratosAsync(3, "IEPS");
        // The second contract is the DOBLE-FTTH-300-TV combo at 549.90; its customer is an IEPS taxpayer who asks for itemization.
        await host.EscalarAsync<int>("UPDATE clientes SET contribuyente_ieps_telecom = true, solicita_desglose_ieps = true WHERE id = @c; SELECT 1",
            new { c = contratos[1].Cliente });
        await host.CorrerAsync(admin, "2027-04");

        async Task<IReadOnlyList<(string Descripcion, decimal Importe, decimal TasaIeps)>> ConceptosAsync(Guid contrato)
        {
            await using var cn = new Npgsql.NpgsqlConnection(host.ConnectionString);
            return (await Dapper.SqlMapper.QueryAsync<(string, decimal, decimal)>(cn, """
                SELECT c.descripcion, c.importe, c.tasa_ieps FROM factura_conceptos c JOIN facturas f ON f.id = c.factura_id
                WHERE f.contrato_id = @contrato AND f.periodo = '2027-04-01' ORDER BY c.numero_linea
                """, new { contrato })).ToList();
        }

        // Itemized (art. 19-II): TV 119.90 and the internet excess 265.03 carry IEPS 3 %; internet exempt 164.97 = 30 % of 549.90.
        var desglosado = await ConceptosAsync(contratos[1].Contrato);
        Assert.Equal([119.90m, 164.97m, 265.03m], desglosado.Select(c => c.Importe));
        Assert.Equal([0.03m, 0m, 0.03m], desglosado.Select(c => c.TasaIeps));
        Assert.Contains("excedente del 30 %", desglosado[2].Descripcion);
        Assert.Equal(3.60m + 7.95m, await host.EscalarAsync<decimal>(
            "SELECT ieps FROM facturas WHERE contrato_id = @c AND periodo = '2027-04-01'", new { c = contratos[1].Contrato }));

        // The triple play of a customer who did not ask: the IEPS is inside the price, no IEPS traslado, the same 30 % cap.
        var incluido = await ConceptosAsync(contratos[2].Contrato);
        Assert.All(incluido, c => Assert.Equal(0m, c.TasaIeps));
        Assert.Equal(0m, await host.EscalarAsync<decimal>("SELECT ieps FROM facturas WHERE contrato_id = @c AND periodo = '2027-04-01'", new { c = contratos[2].Contrato }));
        Assert.Contains(incluido, c => c.Descripcion.Contains("exento IEPS", StringComparison.Ordinal) && c.Importe == 270.00m);
        // The catalog quotes the combo with the same rule (Cotizador -> DividirPaquete): the triple play billed at its catalog
        // price (900.00, no promotion on the contract) totals what its quote's regular total says, 1,065.93.
        var cotizacion = JsonDocument.Parse(await host.Http.GetStringAsync(
            "api/catalogo/cotizacion?zona=MTY_CENTRO&comboId=00000000-0000-0000-0000-000000003002&fecha=2027-04-01")).RootElement.GetProperty("cotizacion");
        Assert.Equal(1065.93m, cotizacion.GetProperty("totalRegular").GetDecimal());
        Assert.Equal(1065.93m, await host.EscalarAsync<decimal>("SELECT total FROM facturas WHERE contrato_id = @c AND periodo = '2027-04-01'", new { c = contratos[2].Contrato }));

        var (codigo, salida, _) = await host.VerificarPeriodoAsync(admin, "2027-04");
        Assert.True(codigo == 0, salida);
    }
}
