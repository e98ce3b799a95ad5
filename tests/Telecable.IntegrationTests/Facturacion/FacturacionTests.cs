using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Telecable.IntegrationTests.Infraestructura;

namespace Telecable.IntegrationTests.Facturacion;

/// <summary>
/// Billing runs end to end over real HTTP, PostgreSQL, Azurite and the in-memory durable backend, with a PAC that
/// fails 30 % of the calls. Each test bills its own period so they do not depend on each other.
/// </summary>
public sealed class FacturacionTests(HostFacturacion host) : IClassFixture<HostFacturacion>
{
    [Fact]
    public async Task Corrida_con_pac_intermitente_timbra_todo_una_vez_y_cada_cfdi_verifica_con_sat()
    {
        long reintentosPac = 0;
        using var escucha = new MeterListener();
        escucha.InstrumentPublished = (i, l) => { if (i.Name == "facturacion.pac.reintentos") l.EnableMeasurementEvents(i); };
        escucha.SetMeasurementEventCallback<long>((_, v, _, _) => Interlocked.Add(ref reintentosPac, v));
        escucha.Start();
        await host.InsertarContratosAsync(40, "GAMR");
        using var admin = await host.ClienteAsync("admin");

        var p = await host.CorrerAsync(admin, "2026-03");

        var total = p.GetProperty("total").GetInt32();
        Assert.True(total >= 50, p.ToString());
        Assert.Equal("completada", p.GetProperty("estado").GetString());
        Assert.Equal(total, p.GetProperty("timbradas").GetInt32());
        Assert.Equal(0, p.GetProperty("pendientes").GetInt32());
        Assert.True(Interlocked.Read(ref reintentosPac) > 0, "Con FailureRate 0.3 el PAC debió fallar y reintentarse.");
        Assert.Equal(total, await host.EscalarAsync<long>("SELECT count(DISTINCT uuid) FROM facturas WHERE periodo = '2026-03-01'"));
        Assert.Equal(total, await host.EscalarAsync<long>("SELECT count(*) FROM pac_emulado_timbres WHERE uuid IN (SELECT upper(uuid::text) FROM facturas WHERE periodo = '2026-03-01')"));
        Assert.Equal(total, await host.EscalarAsync<long>(
            "SELECT count(*) FROM outbox WHERE tipo = 'FacturaTimbrada' AND agregado_id IN (SELECT id::text FROM facturas WHERE periodo = '2026-03-01')"));
        // Issue 24: the emulated PAC's table holds the stamps; its memory only the ones in flight, not every CFDI of the run
        // (a 50,000-CFDI run had grown each host by hundreds of MB).
        Assert.Equal(0, host.Servicios.GetRequiredService<Telecable.Infrastructure.Pac.PacEmulado>().EnMemoria);
        Assert.Equal(1, await host.EscalarAsync<long>(
            "SELECT count(*) FROM outbox WHERE tipo = 'CorridaCompletada' AND agregado_id = @id", new { id = p.GetProperty("id").GetString() }));

        // Gap-free folios: the run's folios are one contiguous range, across its pages of generation (7 contracts each here).
        Assert.Equal(total, await host.EscalarAsync<long>("SELECT max(folio) - min(folio) + 1 FROM facturas WHERE periodo = '2026-03-01'"));
        Assert.Equal(total, await host.EscalarAsync<long>("SELECT count(DISTINCT contrato_id) FROM facturas WHERE periodo = '2026-03-01'"));
        Assert.True(total > 7, "La corrida debe ocupar varias páginas de generación.");

        // One blob per stamped CFDI, named <uuid>.xml.
        var blobs = new List<string>();
        var contenedor = new Azure.Storage.Blobs.BlobContainerClient(Servicios.Azurite, host.Contenedor);
        await foreach (var b in contenedor.GetBlobsAsync()) blobs.Add(b.Name);
        var esperados = (await Consulta<Guid>("SELECT uuid FROM facturas WHERE periodo = '2026-03-01'")).Select(u => $"{u.ToString().ToUpperInvariant()}.xml");
        Assert.Subset(blobs.ToHashSet(), esperados.ToHashSet());

        var (codigo, salida, archivos) = await host.VerificarPeriodoAsync(admin, "2026-03");
        Assert.True(codigo == 0, salida);
        Assert.Equal(total, archivos);
        Assert.Equal(total, salida.Split('\n').Count(l => l.StartsWith("PASS schema")));
        Assert.Equal(total, salida.Split('\n').Count(l => l.StartsWith("PASS sello")));
        Assert.Equal(total, salida.Split('\n').Count(l => l.StartsWith("PASS tfd")));
    }

    [Fact]
    public async Task Datos_fiscales_malos_fallan_esa_factura_con_motivo_y_reintentar_la_timbra_al_corregirlos()
    {
        using var admin = await host.ClienteAsync("admin");
        await using var cn = new NpgsqlConnection(host.ConnectionString);
        // Passes the table's pattern but not the check digit; and a customer on the generic RFC (no fiscal data of their own),
        // who since issue 20 gets a receipt (nota de venta) for the global CFDI instead of failing SIN_DATOS_FISCALES.
        var (malo, _) = await host.InsertarAsync(cn, "GAMR800101AB0", "RFC CON DIGITO MALO", "612", "G03", 0);
        var (publico, _) = await host.InsertarAsync(cn, "XAXX010101000", "PUBLICO EN GENERAL", "616", "S01", 0);

        var p = await host.CorrerAsync(admin, "2026-05");

        Assert.Equal("completada_con_errores", p.GetProperty("estado").GetString());
        Assert.Equal(1, p.GetProperty("fallidas").GetInt32());
        // The receipt is issued, not stamped: counted apart from the CFDIs the PAC stamped (issue 20).
        Assert.Equal(1, p.GetProperty("recibos").GetInt32());
        Assert.Equal(p.GetProperty("total").GetInt32() - 2, p.GetProperty("timbradas").GetInt32());
        Assert.Equal(await host.EscalarAsync<decimal>("SELECT total FROM facturas WHERE cliente_id = @publico AND periodo = '2026-05-01'", new { publico }),
            p.GetProperty("montoRecibos").GetDecimal());
        Assert.Equal(1, p.GetProperty("errores").GetProperty("RFC_INVALIDO").GetInt32());
        Assert.False(p.GetProperty("errores").TryGetProperty("SIN_DATOS_FISCALES", out _));
        Assert.Equal("recibo NV timbrada sin uuid", await host.EscalarAsync<string>("""
            SELECT tipo_documento || ' ' || serie || ' ' || estado || CASE WHEN uuid IS NULL THEN ' sin uuid' ELSE '' END
            FROM facturas WHERE cliente_id = @publico AND periodo = '2026-05-01'
            """, new { publico }));
        Assert.Contains("rfc", await host.EscalarAsync<string>(
            "SELECT error_mensaje FROM facturas WHERE cliente_id = @malo AND periodo = '2026-05-01'", new { malo }));

        var rfcBueno = "GAMR800101AB" + Telecable.Domain.Identidad.Rfc.CalcularDigitoVerificador("GAMR800101AB");
        await cn.ExecuteAsync("UPDATE clientes SET rfc = @rfcBueno WHERE id = @malo", new { rfcBueno, malo });
        var id = p.GetProperty("id").GetGuid();
        var r = await HostFacturacion.PostAsync(admin, $"api/facturacion/corridas/{id}/reintentar", new { });
        Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);
        var p2 = await host.EsperarAsync(admin, id);

        Assert.Equal(0, p2.GetProperty("fallidas").GetInt32());
        Assert.False(p2.GetProperty("errores").TryGetProperty("RFC_INVALIDO", out _));
        Assert.Equal(rfcBueno, await host.EscalarAsync<string>(
            "SELECT receptor_rfc FROM facturas WHERE cliente_id = @malo AND estado = 'timbrada'", new { malo }));
        var (codigo, salida, archivos) = await host.VerificarPeriodoAsync(admin, "2026-05", malo);
        Assert.True(codigo == 0, salida);
        Assert.Equal(1, archivos);
    }

    [Fact]
    public async Task Repetir_el_periodo_no_crea_nada_nuevo_y_una_corrida_viva_es_unica()
    {
        using var admin = await host.ClienteAsync("admin");
        var p1 = await host.CorrerAsync(admin, "2026-06");
        var antes = await host.EscalarAsync<long>("SELECT count(*) FROM facturas WHERE periodo = '2026-06-01'");
        var folioAntes = await host.EscalarAsync<long>("SELECT ultimo_folio FROM series_folios WHERE serie = 'A'");

        var p2 = await host.CorrerAsync(admin, "2026-06");

        Assert.NotEqual(p1.GetProperty("id").GetString(), p2.GetProperty("id").GetString());
        Assert.Equal(0, p2.GetProperty("total").GetInt32());
        Assert.Equal("completada", p2.GetProperty("estado").GetString());
        Assert.Equal(antes, await host.EscalarAsync<long>("SELECT count(*) FROM facturas WHERE periodo = '2026-06-01'"));
        Assert.Equal(folioAntes, await host.EscalarAsync<long>("SELECT ultimo_folio FROM series_folios WHERE serie = 'A'"));

        // Same Idempotency-Key and body: the stored answer, no second run.
        var r1 = await HostFacturacion.PostAsync(admin, "api/facturacion/corridas", new { periodo = "2026-07" }, "clave-2026-07");
        var r2 = await HostFacturacion.PostAsync(admin, "api/facturacion/corridas", new { periodo = "2026-07" }, "clave-2026-07");
        Assert.Equal(await r1.Content.ReadAsStringAsync(), await r2.Content.ReadAsStringAsync());
        var id = JsonDocument.Parse(await r1.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetGuid();
        await host.EsperarAsync(admin, id);
        Assert.Equal(1, await host.EscalarAsync<long>("SELECT count(*) FROM corridas_facturacion WHERE periodo = '2026-07-01'"));
    }

    [Fact]
    public async Task Entrada_mala_y_roles_de_corridas()
    {
        using var admin = await host.ClienteAsync("admin");
        using var soporte = await host.ClienteAsync("soporte");
        using var cliente = await host.ClienteAsync("cliente");
        await Problemas.AfirmarAsync(await HostFacturacion.PostAsync(admin, "api/facturacion/corridas", new { periodo = "2026-13" }), HttpStatusCode.BadRequest, "periodo");
        await Problemas.AfirmarAsync(await HostFacturacion.PostAsync(admin, "api/facturacion/corridas", new { }), HttpStatusCode.BadRequest, "periodo");
        await Problemas.AfirmarAsync(await admin.PostAsJsonAsync("api/facturacion/corridas", new { periodo = "2026-08" }), HttpStatusCode.BadRequest);
        await Problemas.AfirmarAsync(await HostFacturacion.PostAsync(soporte, "api/facturacion/corridas", new { periodo = "2026-08" }), HttpStatusCode.Forbidden);
        await Problemas.AfirmarAsync(await HostFacturacion.PostAsync(cliente, "api/facturacion/corridas", new { periodo = "2026-08" }), HttpStatusCode.Forbidden);
        await Problemas.AfirmarAsync(await admin.GetAsync($"api/facturacion/corridas/{Guid.NewGuid()}"), HttpStatusCode.NotFound);
        await Problemas.AfirmarAsync(await admin.GetAsync("api/facturacion/corridas/no-es-uuid"), HttpStatusCode.BadRequest, "id");
        await Problemas.AfirmarAsync(await HostFacturacion.PostAsync(admin, $"api/facturacion/corridas/{Guid.NewGuid()}/reintentar", new { }), HttpStatusCode.NotFound);
        await Problemas.AfirmarAsync(await cliente.GetAsync("api/facturacion/kpis"), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Cancelacion_y_pago_siguen_la_maquina_de_estados()
    {
        using var admin = await host.ClienteAsync("admin");
        using var cobranzas = await host.ClienteAsync("cobranzas");
        using var cliente = await host.ClienteAsync("cliente");
        await host.CorrerAsync(admin, "2026-09");
        var uuids = (await Consulta<Guid>("SELECT uuid FROM facturas WHERE periodo = '2026-09-01' AND estado = 'timbrada' ORDER BY folio LIMIT 3")).ToList();
        var (a, b, c) = (uuids[0], uuids[1], uuids[2]);

        // Motive 01 is never a bare cancellation: it is what POST .../sustitucion does after issuing the substitute.
        await Problemas.AfirmarAsync(await HostFacturacion.PostAsync(cobranzas, $"api/facturacion/{a}/cancelacion", new { motivo = "01" }), HttpStatusCode.BadRequest, "motivo");
        await Problemas.AfirmarAsync(await HostFacturacion.PostAsync(cobranzas, $"api/facturacion/{a}/cancelacion", new { motivo = "05" }), HttpStatusCode.BadRequest, "motivo");
        await Problemas.AfirmarAsync(await HostFacturacion.PostAsync(cliente, $"api/facturacion/{a}/cancelacion", new { motivo = "02" }), HttpStatusCode.Forbidden);
        await Problemas.AfirmarAsync(await HostFacturacion.PostAsync(cobranzas, $"api/facturacion/{Guid.NewGuid()}/cancelacion", new { motivo = "02" }), HttpStatusCode.NotFound);

        // Not even naming an existing invoice (here another customer's, which does not relate to it with TipoRelacion 04).
        await Problemas.AfirmarAsync(await HostFacturacion.PostAsync(cobranzas, $"api/facturacion/{a}/cancelacion", new { motivo = "01", folioSustitucion = b }),
            HttpStatusCode.BadRequest, "motivo");
        await Problemas.AfirmarAsync(await HostFacturacion.PostAsync(cobranzas, $"api/facturacion/{a}/cancelacion", new { motivo = "02", folioSustitucion = b }),
            HttpStatusCode.BadRequest, "folioSustitucion");
        Assert.Equal("timbrada", await host.EscalarAsync<string>("SELECT estado FROM facturas WHERE uuid = @a", new { a }));

        var r = await HostFacturacion.PostAsync(cobranzas, $"api/facturacion/{a}/cancelacion", new { motivo = "02" });
        Assert.True(r.StatusCode == HttpStatusCode.OK, await r.Content.ReadAsStringAsync());
        Assert.Equal("cancelada", await host.EscalarAsync<string>("SELECT estado FROM facturas WHERE uuid = @a", new { a }));
        Assert.Equal(1, await host.EscalarAsync<long>("SELECT count(*) FROM outbox WHERE tipo = 'FacturaCancelada' AND datos->>'uuid' = @u", new { u = a.ToString() }));
        // Cancelled is terminal: the same request again is a no-op, another motive a conflict, paying it a conflict.
        Assert.Equal(HttpStatusCode.OK, (await HostFacturacion.PostAsync(cobranzas, $"api/facturacion/{a}/cancelacion", new { motivo = "02" })).StatusCode);
        await Problemas.AfirmarAsync(await HostFacturacion.PostAsync(cobranzas, $"api/facturacion/{a}/cancelacion", new { motivo = "03" }), HttpStatusCode.Conflict);
        await Problemas.AfirmarAsync(await cobranzas.PatchAsync($"api/facturacion/{a}/pagar", null), HttpStatusCode.Conflict);

        // Paying is idempotent and a paid invoice cannot be cancelled.
        var pago1 = JsonDocument.Parse(await (await cobranzas.PatchAsync($"api/facturacion/{c}/pagar", JsonContent.Create(new { metodo = "spei" }))).Content.ReadAsStringAsync()).RootElement;
        var pago2 = JsonDocument.Parse(await (await cobranzas.PatchAsync($"api/facturacion/{c}/pagar", null)).Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("pagada", pago1.GetProperty("estado").GetString());
        Assert.Equal(pago1.GetProperty("pagoId").GetGuid(), pago2.GetProperty("pagoId").GetGuid());
        Assert.Equal(1, await host.EscalarAsync<long>("SELECT count(*) FROM pago_aplicaciones pa JOIN facturas f ON f.id = pa.factura_id WHERE f.uuid = @c", new { c }));
        await Problemas.AfirmarAsync(await HostFacturacion.PostAsync(cobranzas, $"api/facturacion/{c}/cancelacion", new { motivo = "02" }), HttpStatusCode.Conflict);
        await Problemas.AfirmarAsync(await cobranzas.PatchAsync($"api/facturacion/{c}/pagar", JsonContent.Create(new { metodo = "cheque" })), HttpStatusCode.BadRequest, "metodo");

        var kpis = JsonDocument.Parse(await cobranzas.GetStringAsync("api/facturacion/kpis")).RootElement;
        Assert.True(kpis.GetProperty("facturado").GetDecimal() > 0);
        Assert.True(kpis.GetProperty("cobrado").GetDecimal() >= pago1.GetProperty("monto").GetDecimal());
    }

    [Fact]
    public async Task Un_cliente_ve_solo_sus_facturas_y_su_representacion_lleva_el_qr_del_sat()
    {
        using var admin = await host.ClienteAsync("admin");
        await host.CorrerAsync(admin, "2026-10");
        var demo = Guid.Parse("00000000-0000-0000-0000-00000000c001");
        var propia = await host.EscalarAsync<Guid>("SELECT uuid FROM facturas WHERE periodo = '2026-10-01' AND cliente_id = @demo", new { demo });
        var ajena = await host.EscalarAsync<Guid>("SELECT uuid FROM facturas WHERE periodo = '2026-10-01' AND cliente_id <> @demo AND uuid IS NOT NULL LIMIT 1", new { demo });
        using var cliente = await host.ClienteAsync("cliente");

        Assert.Equal(HttpStatusCode.OK, (await cliente.GetAsync($"api/facturacion/{propia}/xml")).StatusCode);
        await Problemas.AfirmarAsync(await cliente.GetAsync($"api/facturacion/{ajena}/xml"), HttpStatusCode.NotFound);
        await Problemas.AfirmarAsync(await cliente.GetAsync($"api/facturacion/{ajena}/representacion"), HttpStatusCode.NotFound);
        var ultimas = JsonDocument.Parse(await cliente.GetStringAsync("api/facturacion/ultimas?tamano=200")).RootElement;
        Assert.All(ultimas.GetProperty("elementos").EnumerateArray(), f => Assert.Equal(demo, f.GetProperty("clienteId").GetGuid()));
        Assert.Contains(ultimas.GetProperty("elementos").EnumerateArray(), f => f.GetProperty("uuid").GetGuid() == propia);
        var todas = JsonDocument.Parse(await admin.GetStringAsync("api/facturacion/ultimas?tamano=5&pagina=1")).RootElement;
        Assert.Equal(5, todas.GetProperty("elementos").GetArrayLength());
        Assert.True(todas.GetProperty("total").GetInt64() > 5);

        var html = await cliente.GetAsync($"api/facturacion/{propia}/representacion");
        Assert.StartsWith("text/html", html.Content.Headers.ContentType?.ToString());
        var texto = await html.Content.ReadAsStringAsync();
        var total = await host.EscalarAsync<decimal>("SELECT total FROM facturas WHERE uuid = @propia", new { propia });
        var sello = await host.EscalarAsync<string>("SELECT sello FROM facturas WHERE uuid = @propia", new { propia });
        Assert.Contains($"id={propia.ToString().ToUpperInvariant()}&amp;re=EKU9003173C9&amp;rr=GATM900417PC4", texto);
        Assert.Contains($"&amp;tt={total.ToString("0.0#####", System.Globalization.CultureInfo.InvariantCulture)}&amp;", texto);
        Assert.Contains($"&amp;fe={Uri.EscapeDataString(sello![^8..])}", texto);
        Assert.Contains("src=\"data:image/png;base64,", texto);
        Assert.Contains("MARIANA GARZA TREVIÑO", texto);
    }

    [Fact]
    public async Task Caida_entre_la_respuesta_del_pac_y_el_commit_reenvia_y_recibe_el_mismo_uuid()
    {
        using var admin = await host.ClienteAsync("admin");
        var p = await host.CorrerAsync(admin, "2026-11");
        var corrida = p.GetProperty("id").GetGuid();
        var (id, uuid) = (await Consulta<(Guid, Guid)>(
            $"SELECT id, uuid FROM facturas WHERE corrida_id = '{corrida}' AND estado = 'timbrada' AND tipo_documento = 'cfdi' ORDER BY folio LIMIT 1")).Single();
        // What the database looks like if the host died after the PAC stamped but before our transaction committed.
        await using (var cn = new NpgsqlConnection(host.ConnectionString))
        {
            await cn.ExecuteAsync("UPDATE facturas SET uuid = NULL, estado = 'borrador', xml_blob = NULL, sello = NULL, timbrada_en = NULL WHERE id = @id", new { id });
        }
        // A restarted process: the emulated PAC's in-memory state is gone, only its table remains.
        var otroPac = new Telecable.Infrastructure.Facturacion.PacEmuladoPersistente(
            new Telecable.Infrastructure.Pac.PacEmulado(new Telecable.Infrastructure.Pac.PacEmuladoOptions(),
                Telecable.Infrastructure.Facturacion.PacEmuladoPersistente.CertificadoPersistente(host.CarpetaPac)),
            host.Servicios.GetRequiredService<Npgsql.NpgsqlDataSource>());
        var timbrado = ActivatorUtilities.CreateInstance<Telecable.Infrastructure.Facturacion.TimbradoUnico>(
            host.Servicios, (Telecable.Infrastructure.Pac.IPacClient)otroPac);
        var timbrador = ActivatorUtilities.CreateInstance<Telecable.Infrastructure.Facturacion.TimbradorFacturas>(
            host.Servicios, (Telecable.Application.Facturacion.ITimbradoUnico)timbrado);

        var r = await timbrador.TimbrarParteAsync(corrida, 0, 1, true, "prueba-caida", CancellationToken.None);

        Assert.Equal(1, r.Timbradas);
        Assert.Equal(uuid, await host.EscalarAsync<Guid>("SELECT uuid FROM facturas WHERE id = @id", new { id }));
        Assert.Equal(0, await host.EscalarAsync<long>(
            // Every stamp is an invoice's or (PATCH .../pagar on a PPD invoice) a payment complement's.
            "SELECT count(*) FROM pac_emulado_timbres t WHERE NOT EXISTS (SELECT 1 FROM facturas f WHERE upper(f.uuid::text) = t.uuid) " +
            "AND NOT EXISTS (SELECT 1 FROM complementos_pago c WHERE upper(c.uuid::text) = t.uuid)"));
        // Running the chunk again finds nothing to send.
        Assert.Equal(new Telecable.Application.Facturacion.ResultadoParte(0, 0, 0),
            await timbrador.TimbrarParteAsync(corrida, 0, 1, true, "prueba-caida", CancellationToken.None));
    }

    private async Task<IEnumerable<T>> Consulta<T>(string sql)
    {
        await using var cn = new NpgsqlConnection(host.ConnectionString);
        return await cn.QueryAsync<T>(sql);
    }
}
