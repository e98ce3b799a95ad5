using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Telecable.Infrastructure.Routers;
using Telecable.IntegrationTests.Infraestructura;

namespace Telecable.IntegrationTests.Routers;

/// <summary>
/// A host over a database of its own: the outage detector touches every stale demo router, which must
/// not open tickets in the database other areas' tests share.
/// </summary>
public sealed class HostRouters : HostPrueba
{
    protected override IDictionary<string, string?> Ajustes => new Dictionary<string, string?>
    {
        // The timer stays off; tests run the detector themselves, at the moment they choose.
        ["Routers:DetectarDesconexiones"] = "false",
    };

    public static readonly Guid Demo = Guid.Parse("00000000-0000-0000-0000-00000000c001");

    public static Guid Router(int n) => Guid.Parse($"00000000-0000-0000-0000-00000000{7000 + n}");

    public async Task<string> SerialAsync(Guid router) =>
        (await EscalarAsync<string>("SELECT serial FROM routers WHERE id = @router", new { router }))!;

    /// <summary>POSTs a report as the router itself (X-Router-Auth), with the given overrides of a healthy FTTH body.</summary>
    public async Task<HttpResponseMessage> ReportarAsync(string serial, object cuerpo, string? clave = null)
    {
        using var m = new HttpRequestMessage(HttpMethod.Post, "api/router/status") { Content = JsonContent.Create(cuerpo) };
        m.Headers.Add(AutenticadorRouters.Encabezado, $"{serial}:{clave ?? "demo-key-" + serial}");
        return await Http.SendAsync(m);
    }

    public static object Sano(string serial, object? ack = null) => new
    {
        serial, firmware = "V5R020C10S115", uptimeSegundos = 1234, senalDbm = -19.5m, bajadaMbps = 350.2m, subidaMbps = 98.1m,
        clientesConectados = 7, comandosCompletados = ack,
    };
}

public sealed class RoutersTests(HostRouters host) : IClassFixture<HostRouters>
{
    private static async Task<JsonElement> Json(HttpResponseMessage r, HttpStatusCode esperado)
    {
        var texto = await r.Content.ReadAsStringAsync();
        Assert.True(esperado == r.StatusCode, $"{(int)r.StatusCode}: {texto}");
        return JsonDocument.Parse(texto).RootElement;
    }

    private async Task<string> EstadoAsync(Guid router)
    {
        using var soporte = await host.ClienteAsync("soporte");
        return (await Json(await soporte.GetAsync($"api/router/status/{router}"), HttpStatusCode.OK)).GetProperty("estado").GetString()!;
    }

    [Fact]
    public async Task Reporte_sano_en_linea_senal_mala_degradado_y_de_vuelta()
    {
        var router = HostRouters.Router(4);
        var serial = await host.SerialAsync(router);

        var r = await Json(await host.ReportarAsync(serial, HostRouters.Sano(serial)), HttpStatusCode.OK);
        Assert.Equal("en_linea", r.GetProperty("estado").GetString());
        Assert.Equal(10, r.GetProperty("intervaloSegundos").GetInt32());
        Assert.Equal(0, r.GetProperty("comandos").GetArrayLength());
        Assert.Equal("en_linea", await EstadoAsync(router));

        var debil = new { serial, firmware = "V9", uptimeSegundos = 1244, senalDbm = -29.1m, bajadaMbps = 12m, subidaMbps = 3m };
        Assert.Equal("degradado", (await Json(await host.ReportarAsync(serial, debil), HttpStatusCode.OK)).GetProperty("estado").GetString());
        Assert.Equal("degradado", await EstadoAsync(router));

        var errores = new { serial, firmware = "V9", uptimeSegundos = 1254, senalDbm = -19m, bajadaMbps = 12m, subidaMbps = 3m, errores = 5000 };
        Assert.Equal("degradado", (await Json(await host.ReportarAsync(serial, errores), HttpStatusCode.OK)).GetProperty("estado").GetString());

        await Json(await host.ReportarAsync(serial, HostRouters.Sano(serial)), HttpStatusCode.OK);
        Assert.Equal("en_linea", await EstadoAsync(router));
        Assert.Equal(4, await host.EscalarAsync<long>("SELECT count(*) FROM router_estado_historial WHERE router_id = @router", new { router }));
    }

    /// <summary>
    /// Issue 18: a router hears 'reactivar' only in the answer to a report, so at the 10 s period the wait after a payment was up
    /// to 10 s. A router that reports itself suspended is asked to report every 2 s; back in service, every 10 s again.
    /// </summary>
    [Fact]
    public async Task Un_router_suspendido_reporta_cada_2_s_y_al_reactivarse_vuelve_a_10()
    {
        var router = HostRouters.Router(12);
        var serial = await host.SerialAsync(router);
        var suspendido = new { serial, firmware = "V5R020C10S115", uptimeSegundos = 1234, senalDbm = -19.5m, bajadaMbps = 0m, subidaMbps = 0m,
            clientesConectados = 0, suspendido = true };
        var r = await Json(await host.ReportarAsync(serial, suspendido), HttpStatusCode.OK);
        Assert.Equal("suspendido", r.GetProperty("estado").GetString());
        Assert.Equal(2, r.GetProperty("intervaloSegundos").GetInt32());

        r = await Json(await host.ReportarAsync(serial, HostRouters.Sano(serial)), HttpStatusCode.OK);
        Assert.Equal("en_linea", r.GetProperty("estado").GetString());
        Assert.Equal(10, r.GetProperty("intervaloSegundos").GetInt32());
    }

    [Fact]
    public async Task Docsis_se_juzga_por_potencia_y_snr()
    {
        var router = HostRouters.Router(6);
        var serial = await host.SerialAsync(router);
        var bueno = new { serial, firmware = "9.1.103AA", uptimeSegundos = 50, senalDbm = 3.2m, snrDb = 38.5m, bajadaMbps = 500m, subidaMbps = 40m };
        Assert.Equal("en_linea", (await Json(await host.ReportarAsync(serial, bueno), HttpStatusCode.OK)).GetProperty("estado").GetString());
        var ruidoso = new { serial, firmware = "9.1.103AA", uptimeSegundos = 60, senalDbm = 3.2m, snrDb = 28m, bajadaMbps = 500m, subidaMbps = 40m };
        Assert.Equal("degradado", (await Json(await host.ReportarAsync(serial, ruidoso), HttpStatusCode.OK)).GetProperty("estado").GetString());
        // SNR is mandatory for DOCSIS.
        var sinSnr = new { serial, firmware = "9.1.103AA", uptimeSegundos = 60, senalDbm = 3.2m, bajadaMbps = 500m, subidaMbps = 40m };
        await Problemas.AfirmarAsync(await host.ReportarAsync(serial, sinSnr), HttpStatusCode.BadRequest, "snrDb");
    }

    [Fact]
    public async Task Sin_credencial_o_con_clave_falsa_401()
    {
        var serial = await host.SerialAsync(HostRouters.Router(5));
        var otro = await host.SerialAsync(HostRouters.Router(8));

        var sin = await host.Http.PostAsJsonAsync("api/router/status", HostRouters.Sano(serial));
        await Problemas.AfirmarAsync(sin, HttpStatusCode.Unauthorized);
        await Problemas.AfirmarAsync(await host.ReportarAsync(serial, HostRouters.Sano(serial), clave: "demo-key-X"), HttpStatusCode.Unauthorized);
        // Another router's key does not open this serial.
        await Problemas.AfirmarAsync(await host.ReportarAsync(serial, HostRouters.Sano(serial), clave: "demo-key-" + otro), HttpStatusCode.Unauthorized);
        await Problemas.AfirmarAsync(await host.ReportarAsync("NOEXISTE123", HostRouters.Sano("NOEXISTE123")), HttpStatusCode.Unauthorized);
        // A staff bearer token is not a device credential.
        using var soporte = await host.ClienteAsync("soporte");
        await Problemas.AfirmarAsync(await soporte.PostAsJsonAsync("api/router/status", HostRouters.Sano(serial)), HttpStatusCode.Unauthorized);
        // Authenticated as one router, reporting as another: refused.
        await Problemas.AfirmarAsync(await host.ReportarAsync(otro, HostRouters.Sano(serial)), HttpStatusCode.BadRequest, "serial");

        Assert.Equal(0, await host.EscalarAsync<long>(
            "SELECT count(*) FROM router_estado_historial WHERE router_id = @r", new { r = HostRouters.Router(5) }));
    }

    [Fact]
    public async Task Valores_mal_formados_o_fuera_de_rango_400_con_cada_campo()
    {
        var serial = await host.SerialAsync(HostRouters.Router(9));
        var malo = new { serial, firmware = "", uptimeSegundos = -1, senalDbm = -80m, bajadaMbps = -5m, subidaMbps = 200000m, clientesConectados = 5000 };
        var r = await host.ReportarAsync(serial, malo);
        await Problemas.AfirmarAsync(r, HttpStatusCode.BadRequest, "firmware");
        var errores = (await Json(r, HttpStatusCode.BadRequest)).GetProperty("errors");
        foreach (var campo in new[] { "uptimeSegundos", "senalDbm", "bajadaMbps", "subidaMbps", "clientesConectados" })
            Assert.True(errores.TryGetProperty(campo, out _), campo);

        using var m = new HttpRequestMessage(HttpMethod.Post, "api/router/status")
        {
            Content = new StringContent("{\"serial\":\"" + serial + "\",\"uptimeSegundos\":\"mucho\"}", System.Text.Encoding.UTF8, "application/json"),
        };
        m.Headers.Add(AutenticadorRouters.Encabezado, $"{serial}:demo-key-{serial}");
        await Problemas.AfirmarAsync(await host.Http.SendAsync(m), HttpStatusCode.BadRequest, "uptimeSegundos");
        await Problemas.AfirmarAsync(await host.ReportarAsync(serial, new { serial }), HttpStatusCode.BadRequest, "senalDbm");
    }

    [Fact]
    public async Task Silencio_de_tres_intervalos_fuera_de_linea_un_ticket_por_desconexion_y_reconexion_lo_cierra()
    {
        var router = HostRouters.Router(1);
        var serial = await host.SerialAsync(router);
        await Json(await host.ReportarAsync(serial, HostRouters.Sano(serial)), HttpStatusCode.OK);
        Assert.Equal("en_linea", await EstadoAsync(router));

        // 25 s of silence is still online; 31 s is offline (3 intervals of 10 s), before the detector even runs.
        await host.EscalarAsync<int>("UPDATE router_estado SET reportado_en = now() - interval '25 seconds' WHERE router_id = @router", new { router });
        Assert.Equal("en_linea", await EstadoAsync(router));
        await host.EscalarAsync<int>("UPDATE router_estado SET reportado_en = now() - interval '31 seconds' WHERE router_id = @router", new { router });
        Assert.Equal("fuera_de_linea", await EstadoAsync(router));

        // Two detector runs at once (two hosts, or overlapping timers): one outage, one ticket, one notification.
        var detector = host.Servicios.GetRequiredService<DetectorDesconexiones>();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Task.Run(() => detector.DetectarAsync($"prueba{i}", CancellationToken.None))));
        await detector.DetectarAsync("otra-vez", CancellationToken.None);
        var p = new { router };
        Assert.Equal(1, await host.EscalarAsync<long>("SELECT count(*) FROM router_desconexiones WHERE router_id = @router", p));
        var ticket = await host.EscalarAsync<Guid>("SELECT ticket_id FROM router_desconexiones WHERE router_id = @router AND terminada_en IS NULL", p);
        Assert.Equal(1, await host.EscalarAsync<long>(
            "SELECT count(*) FROM tickets WHERE cliente_id = @c AND tipo = 'falla' AND descripcion LIKE '%' || @serial || '%'", new { c = HostRouters.Demo, serial }));
        Assert.Equal("abierto", await host.EscalarAsync<string>("SELECT estado FROM tickets WHERE id = @ticket", new { ticket }));
        Assert.Equal(1, await host.EscalarAsync<long>(
            "SELECT count(*) FROM notificaciones WHERE cliente_id = @c AND canal = 'whatsapp' AND estado IN ('pendiente', 'enviada') AND cuerpo LIKE '%' || @serial || '%'",
            new { c = HostRouters.Demo, serial }));
        Assert.Equal(1, await host.EscalarAsync<long>("SELECT count(*) FROM outbox WHERE tipo = 'RouterDesconectado' AND agregado_id = @id", new { id = router.ToString() }));

        // Coming back closes the outage and the ticket nobody took, and says so once.
        var r = await Json(await host.ReportarAsync(serial, HostRouters.Sano(serial)), HttpStatusCode.OK);
        Assert.Equal("en_linea", r.GetProperty("estado").GetString());
        Assert.Equal(0, await host.EscalarAsync<long>("SELECT count(*) FROM router_desconexiones WHERE router_id = @router AND terminada_en IS NULL", p));
        Assert.Equal("cerrado", await host.EscalarAsync<string>("SELECT estado FROM tickets WHERE id = @ticket", new { ticket }));
        Assert.Equal(2, await host.EscalarAsync<long>("SELECT count(*) FROM ticket_eventos WHERE ticket_id = @ticket", new { ticket }));
        await Json(await host.ReportarAsync(serial, HostRouters.Sano(serial)), HttpStatusCode.OK);
        Assert.Equal(1, await host.EscalarAsync<long>("SELECT count(*) FROM outbox WHERE tipo = 'RouterReconectado' AND agregado_id = @id", new { id = router.ToString() }));

        // A second outage is a new outage: a second ticket.
        await host.EscalarAsync<int>("UPDATE router_estado SET reportado_en = now() - interval '1 minute' WHERE router_id = @router", p);
        await detector.DetectarAsync("segunda", CancellationToken.None);
        Assert.Equal(2, await host.EscalarAsync<long>("SELECT count(*) FROM router_desconexiones WHERE router_id = @router", p));
        await Json(await host.ReportarAsync(serial, HostRouters.Sano(serial)), HttpStatusCode.OK);
    }

    [Fact]
    public async Task Desconexion_cuyo_cierre_fallo_la_cierra_el_detector_cuando_el_router_ya_reporta()
    {
        var router = HostRouters.Router(57);
        var p = new { router };
        var detector = host.Servicios.GetRequiredService<DetectorDesconexiones>();
        await host.EscalarAsync<int>("UPDATE router_estado SET reportado_en = now() - interval '1 hour', estado = 'en_linea' WHERE router_id = @router", p);
        await detector.DetectarAsync("abre", CancellationToken.None);
        Assert.Equal(1, await host.EscalarAsync<long>("SELECT count(*) FROM router_desconexiones WHERE router_id = @router AND terminada_en IS NULL", p));

        // The report was stored but its second transaction (closing the outage) never ran.
        await host.EscalarAsync<int>("UPDATE router_estado SET reportado_en = now(), estado = 'en_linea', estado_anterior = 'en_linea' WHERE router_id = @router", p);
        await detector.DetectarAsync("red", CancellationToken.None);
        Assert.Equal(0, await host.EscalarAsync<long>("SELECT count(*) FROM router_desconexiones WHERE router_id = @router AND terminada_en IS NULL", p));
        Assert.Equal(1, await host.EscalarAsync<long>("SELECT count(*) FROM outbox WHERE tipo = 'RouterReconectado' AND agregado_id = @id", new { id = router.ToString() }));
    }

    [Fact]
    public async Task Reset_pendiente_entregado_en_el_siguiente_reporte_confirmado_y_ejecutado()
    {
        var router = HostRouters.Router(10);
        var serial = await host.SerialAsync(router);
        using var soporte = await host.ClienteAsync("soporte");

        await Problemas.AfirmarAsync(await soporte.PostAsync($"api/router/{router}/reset", null), HttpStatusCode.BadRequest, "Idempotency-Key");
        using var cliente = await host.ClienteAsync("cliente");
        await Problemas.AfirmarAsync(await cliente.PostAsync($"api/router/{router}/reset", null), HttpStatusCode.Forbidden);

        var clave = Guid.NewGuid().ToString();
        HttpRequestMessage Reset(string k)
        {
            var m = new HttpRequestMessage(HttpMethod.Post, $"api/router/{router}/reset");
            m.Headers.Add("Idempotency-Key", k);
            return m;
        }
        var c = await Json(await soporte.SendAsync(Reset(clave)), HttpStatusCode.Accepted);
        var comando = c.GetProperty("id").GetGuid();
        Assert.Equal("pendiente", c.GetProperty("estado").GetString());
        // The same key replays the same command; another key while it is open is a conflict.
        Assert.Equal(comando, (await Json(await soporte.SendAsync(Reset(clave)), HttpStatusCode.Accepted)).GetProperty("id").GetGuid());
        await Problemas.AfirmarAsync(await soporte.SendAsync(Reset(Guid.NewGuid().ToString())), HttpStatusCode.Conflict);

        var r = await Json(await host.ReportarAsync(serial, HostRouters.Sano(serial)), HttpStatusCode.OK);
        var entregado = Assert.Single(r.GetProperty("comandos").EnumerateArray());
        Assert.Equal(comando, entregado.GetProperty("id").GetGuid());
        Assert.Equal("reiniciar", entregado.GetProperty("tipo").GetString());
        var estado = await Json(await soporte.GetAsync($"api/router/status/{router}"), HttpStatusCode.OK);
        Assert.Equal("entregado", estado.GetProperty("comandos")[0].GetProperty("estado").GetString());

        // Until confirmed, the command is handed out again (the answer may have been lost).
        r = await Json(await host.ReportarAsync(serial, HostRouters.Sano(serial)), HttpStatusCode.OK);
        Assert.Equal(1, r.GetProperty("comandos").GetArrayLength());

        // Confirming needs the device's own credential.
        var ack = $"api/router/{router}/comandos/{comando}/ack";
        await Problemas.AfirmarAsync(await soporte.PostAsync(ack, null), HttpStatusCode.Unauthorized);
        var otro = await host.SerialAsync(HostRouters.Router(11));
        using (var m = new HttpRequestMessage(HttpMethod.Post, ack))
        {
            m.Headers.Add(AutenticadorRouters.Encabezado, $"{otro}:demo-key-{otro}");
            await Problemas.AfirmarAsync(await host.Http.SendAsync(m), HttpStatusCode.Unauthorized);
        }
        using (var m = new HttpRequestMessage(HttpMethod.Post, ack))
        {
            m.Headers.Add(AutenticadorRouters.Encabezado, $"{serial}:demo-key-{serial}");
            Assert.Equal("ejecutado", (await Json(await host.Http.SendAsync(m), HttpStatusCode.OK)).GetProperty("estado").GetString());
        }
        r = await Json(await host.ReportarAsync(serial, HostRouters.Sano(serial)), HttpStatusCode.OK);
        Assert.Equal(0, r.GetProperty("comandos").GetArrayLength());
        estado = await Json(await soporte.GetAsync($"api/router/status/{router}"), HttpStatusCode.OK);
        Assert.Equal("ejecutado", estado.GetProperty("comandos")[0].GetProperty("estado").GetString());

        // The acknowledgement may also ride on the next report.
        var segundo = (await Json(await soporte.SendAsync(Reset(Guid.NewGuid().ToString())), HttpStatusCode.Accepted)).GetProperty("id").GetGuid();
        Assert.Equal(1, (await Json(await host.ReportarAsync(serial, HostRouters.Sano(serial)), HttpStatusCode.OK)).GetProperty("comandos").GetArrayLength());
        r = await Json(await host.ReportarAsync(serial, HostRouters.Sano(serial, ack: new[] { segundo })), HttpStatusCode.OK);
        Assert.Equal(0, r.GetProperty("comandos").GetArrayLength());
        Assert.Equal("ejecutado", await host.EscalarAsync<string>("SELECT estado FROM router_comandos WHERE id = @segundo", new { segundo }));

        await Problemas.AfirmarAsync(await soporte.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"api/router/{Guid.NewGuid()}/reset")
        { Headers = { { "Idempotency-Key", Guid.NewGuid().ToString() } } }), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Cliente_ve_solo_su_router_otros_404_y_la_flota_es_del_personal()
    {
        using var cliente = await host.ClienteAsync("cliente");
        var propio = await Json(await cliente.GetAsync($"api/router/status/{HostRouters.Router(1)}"), HttpStatusCode.OK);
        Assert.Equal(HostRouters.Demo, propio.GetProperty("clienteId").GetGuid());
        await Problemas.AfirmarAsync(await cliente.GetAsync($"api/router/status/{HostRouters.Router(2)}"), HttpStatusCode.NotFound);
        await Problemas.AfirmarAsync(await cliente.GetAsync($"api/router/status/{Guid.NewGuid()}"), HttpStatusCode.NotFound);

        // Customer c002 owns router 2, not router 1.
        using var otro = new HttpClient { BaseAddress = host.Http.BaseAddress };
        otro.DefaultRequestHeaders.Authorization = new("Bearer",
            host.TokenPara("otro-cliente", ["cliente"], Guid.Parse("00000000-0000-0000-0000-00000000c002")));
        await Problemas.AfirmarAsync(await otro.GetAsync($"api/router/status/{HostRouters.Router(1)}"), HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.OK, (await otro.GetAsync($"api/router/status/{HostRouters.Router(2)}")).StatusCode);

        await Problemas.AfirmarAsync(await host.Http.GetAsync($"api/router/status/{HostRouters.Router(1)}"), HttpStatusCode.Unauthorized);
        using var tecnico = await host.ClienteAsync("tecnico");
        await Problemas.AfirmarAsync(await tecnico.GetAsync($"api/router/status/{HostRouters.Router(1)}"), HttpStatusCode.Forbidden);
        await Problemas.AfirmarAsync(await cliente.GetAsync("api/router/flota"), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Flota_cuenta_por_zona_y_filtra_por_estado()
    {
        var router = HostRouters.Router(3);
        var serial = await host.SerialAsync(router);
        var docsis = new { serial, firmware = "9.1.103AA", uptimeSegundos = 50, senalDbm = 3.2m, snrDb = 38.5m, bajadaMbps = 500m, subidaMbps = 40m };
        await Json(await host.ReportarAsync(serial, docsis), HttpStatusCode.OK);
        var zona = await host.EscalarAsync<string>(
            "SELECT z.clave FROM routers r JOIN contratos c ON c.id = r.contrato_id JOIN zonas z ON z.id = c.zona_id WHERE r.id = @router", new { router });

        using var soporte = await host.ClienteAsync("soporte");
        var f = await Json(await soporte.GetAsync($"api/router/flota?zona={zona}&estado=en_linea&tamano=1000"), HttpStatusCode.OK);
        Assert.Contains(f.GetProperty("routers").EnumerateArray(), r => r.GetProperty("serial").GetString() == serial);
        Assert.All(f.GetProperty("routers").EnumerateArray(), r => Assert.Equal("en_linea", r.GetProperty("estado").GetString()));
        var z = Assert.Single(f.GetProperty("porZona").EnumerateArray());
        Assert.Equal(zona, z.GetProperty("zona").GetString());
        Assert.True(z.GetProperty("enLinea").GetInt32() >= 1);
        Assert.Equal(z.GetProperty("total").GetInt32(),
            z.GetProperty("enLinea").GetInt32() + z.GetProperty("degradado").GetInt32() + z.GetProperty("fueraDeLinea").GetInt32());

        var todas = await Json(await soporte.GetAsync("api/router/flota"), HttpStatusCode.OK);
        Assert.Equal(await host.EscalarAsync<long>("SELECT count(*) FROM routers WHERE contrato_id IS NOT NULL"), todas.GetProperty("total").GetInt32());

        await Problemas.AfirmarAsync(await soporte.GetAsync("api/router/flota?estado=roto"), HttpStatusCode.BadRequest, "estado");
        await Problemas.AfirmarAsync(await soporte.GetAsync("api/router/flota?zona=x;drop"), HttpStatusCode.BadRequest, "zona");
    }
}
