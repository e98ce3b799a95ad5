using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Telecable.Domain.Pagos;
using Telecable.Infrastructure.Pagos;
using Microsoft.Azure.Functions.Worker;
using Telecable.IntegrationTests.Infraestructura;
using Telecable.LocalHost.Funciones;

namespace Telecable.IntegrationTests.Plataforma;

/// <summary>
/// Issue 22 (security round two): every finding reproduced over HTTP against the local host. Each client can
/// leave from its own loopback address (127.0.0.x), so per-address limits are tested without disturbing each other.
/// </summary>
public sealed class SeguridadTests(HostSeguridad host) : IClassFixture<HostSeguridad>
{
    private const string ClienteDemo = "00000000-0000-0000-0000-00000000c001";
    private const string RouterDemo = "00000000-0000-0000-0000-000000007001";

    private HttpRequestMessage Json(HttpMethod m, string ruta, string cuerpo, string? rol = null, bool clave = false, string tipo = "application/json")
    {
        var r = new HttpRequestMessage(m, ruta) { Content = new StringContent(cuerpo, Encoding.UTF8) };
        r.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(tipo);
        if (rol is not null) r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", host.TokenPara(rol, [rol], clienteId: rol == "cliente" ? Guid.Parse(ClienteDemo) : null));
        if (clave) r.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        return r;
    }

    private async Task<HttpRequestMessage> ComoRouterAsync(HttpMethod m, string ruta, string cuerpo)
    {
        var serial = await host.EscalarAsync<string>("SELECT serial FROM routers WHERE id = @id", new { id = Guid.Parse(RouterDemo) });
        var r = Json(m, ruta, cuerpo.Replace("SERIAL", serial));
        r.Headers.Add("X-Router-Auth", $"{serial}:demo-key-{serial}");
        return r;
    }

    // ---- 1. one reader: NUL, unpaired surrogates and numbers out of their column's range are a 400 naming the field

    public static TheoryData<string, string, string> TextosInvalidos => new()
    {
        { "pagos", "referencia", $$"""{"clienteId":"{{ClienteDemo}}","monto":10.5,"metodo":"efectivo","referencia":"REF\u0000X"}""" },
        { "pagos", "referencia", $$"""{"clienteId":"{{ClienteDemo}}","monto":10.5,"metodo":"efectivo","referencia":"REF\ud800X"}""" },
        { "pagos", "monto", $$"""{"clienteId":"{{ClienteDemo}}","monto":1e30,"metodo":"efectivo"}""" },
        { "pagos", "monto", $$"""{"clienteId":"{{ClienteDemo}}","monto":123456789012.5,"metodo":"efectivo"}""" },
        { "pagos/conciliaciones", "movimientos[0].referencia", """{"gateway":"emulada","periodo":"2026-01-02","movimientos":[{"referencia":"pi\u0000","monto":1}]}""" },
        { "pagos/conciliaciones", "movimientos[0].monto", """{"gateway":"emulada","periodo":"2026-01-02","movimientos":[{"referencia":"pi_1","monto":9223372036854775807}]}""" },
        { "pagos/conciliaciones", "gateway", """{"gateway":"emu\udc00lada","periodo":"2026-01-02","movimientos":[]}""" },
    };

    [Theory]
    [MemberData(nameof(TextosInvalidos))]
    public async Task Texto_con_nul_o_surrogate_suelto_o_numero_fuera_de_rango_es_400_con_el_campo(string ruta, string campo, string cuerpo)
    {
        using var r = await host.Http.SendAsync(Json(HttpMethod.Post, "api/" + ruta, cuerpo, "cobranzas", clave: true));
        await Problemas.AfirmarAsync(r, HttpStatusCode.BadRequest, campo);
    }

    [Fact]
    public async Task Un_router_con_nul_en_firmware_o_en_el_detalle_del_ack_recibe_400_con_el_campo()
    {
        using var estado = await host.Http.SendAsync(await ComoRouterAsync(HttpMethod.Post, "api/router/status",
            """{"serial":"SERIAL","firmware":"V1\u0000","uptimeSegundos":100,"senalDbm":-19.5,"bajadaMbps":300,"subidaMbps":90}"""));
        await Problemas.AfirmarAsync(estado, HttpStatusCode.BadRequest, "firmware");

        using var ack = await host.Http.SendAsync(await ComoRouterAsync(HttpMethod.Post, $"api/router/{RouterDemo}/comandos/{Guid.NewGuid()}/ack",
            """{"exito":false,"detalle":"fallo\u0000"}"""));
        await Problemas.AfirmarAsync(ack, HttpStatusCode.BadRequest, "detalle");
    }

    [Fact]
    public async Task Un_webhook_firmado_con_nul_en_sus_ids_o_un_monto_enorme_es_400_con_el_campo_y_no_crea_pagos()
    {
        var evento = $"evt_{Guid.NewGuid():N}";
        var valido = AdaptadorPasarelaEmulada.CuerpoPagoExitoso(evento, "pi_1", Guid.Parse(ClienteDemo), 10m);
        var casos = new (string Cuerpo, string Campo)[]
        {
            (valido.Replace(evento, evento + "\\u0000"), "id"),
            (valido.Replace("\"pi_1\"", "\"pi\\u00001\""), "data.object.id"),
            (valido.Replace("\"amount\":1000", "\"amount\":9223372036854775807"), "data.object.amount"),
            (valido.Replace("\"amount\":1000", "\"amount\":100000000000000"), "data.object.amount"),
        };
        Assert.All(casos, c => Assert.NotEqual(valido, c.Cuerpo));
        foreach (var (cuerpo, campo) in casos)
        {
            using var r = await host.WebhookAsync(cuerpo);
            await Problemas.AfirmarAsync(r, HttpStatusCode.BadRequest, campo);
        }
        Assert.Equal(0, await host.EscalarAsync<long>("SELECT count(*) FROM pagos WHERE gateway_evento_id LIKE @k", new { k = $"emulada:{evento}%" }));
    }

    // ---- 2. rejected deliveries: bounded excerpt, retention, per-address failure limit

    [Fact]
    public async Task Un_webhook_rechazado_guarda_solo_un_extracto_acotado_y_el_motivo()
    {
        var cid = $"seg-{Guid.NewGuid():N}"[..20];
        var cuerpo = "{\"relleno\":\"" + new string('x', 200_000) + "\"}";
        var req = new HttpRequestMessage(HttpMethod.Post, "api/pagos/webhooks/emulada") { Content = new StringContent(cuerpo, Encoding.UTF8, "application/json") };
        req.Headers.Add("X-Correlation-Id", cid);
        using var r = await host.Http.SendAsync(req);
        await Problemas.AfirmarAsync(r, HttpStatusCode.BadRequest, FirmaStripe.Encabezado);
        var (largo, motivo) = (await host.EscalarAsync<int>("SELECT length(cuerpo) FROM webhook_eventos WHERE cid = @cid", new { cid }),
            await host.EscalarAsync<string>("SELECT motivo_rechazo FROM webhook_eventos WHERE cid = @cid", new { cid }));
        Assert.InRange(largo, 1, 2048);
        Assert.Equal("encabezado_ausente", motivo);
    }

    [Fact]
    public async Task Los_fallos_de_firma_de_una_direccion_se_limitan_con_429_y_no_se_guardan()
    {
        using var desde = HostSeguridad.ClienteDesde(host, "127.0.0.2");
        var codigos = new List<HttpStatusCode>();
        for (var i = 0; i < HostSeguridad.FallosPorMinuto + 5; i++)
        {
            using var r = await desde.PostAsync("api/pagos/webhooks/emulada", new StringContent("{}", Encoding.UTF8, "application/json"));
            codigos.Add(r.StatusCode);
        }
        Assert.Contains(HttpStatusCode.TooManyRequests, codigos);
        Assert.True(codigos.Count(c => c == HttpStatusCode.BadRequest) <= HostSeguridad.FallosPorMinuto, string.Join(",", codigos.Select(c => (int)c)));
        // Another address is not affected.
        using var otra = HostSeguridad.ClienteDesde(host, "127.0.0.5");
        using var r2 = await otra.PostAsync("api/pagos/webhooks/emulada", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, r2.StatusCode);
    }

    [Fact]
    public async Task El_timer_de_retencion_borra_los_rechazos_viejos_y_conserva_los_recientes_y_los_aceptados()
    {
        var viejo = $"viejo-{Guid.NewGuid():N}";
        var reciente = $"reciente-{Guid.NewGuid():N}";
        var aceptado = $"aceptado-{Guid.NewGuid():N}";
        await host.EscalarAsync<int>("""
            INSERT INTO webhook_eventos (gateway, evento_id, aceptado, motivo_rechazo, cuerpo, cid, recibido_en) VALUES
              ('emulada', @viejo, false, 'firma_invalida', '{}', 'c', now() - interval '40 days'),
              ('emulada', @reciente, false, 'firma_invalida', '{}', 'c', now() - interval '1 day'),
              ('emulada', @aceptado, true, null, '{}', 'c', now() - interval '400 days')
            RETURNING 1
            """, new { viejo, reciente, aceptado });
        using var admin = new HttpClient { BaseAddress = host.Http.BaseAddress };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", host.TokenPara("admin", ["admin"]));
        using var r = await admin.PostAsync("admin/functions/PurgarWebhooks", null);
        Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);
        var quedan = await host.EscalarAsync<string>(
            "SELECT string_agg(evento_id, ',' ORDER BY evento_id) FROM webhook_eventos WHERE evento_id IN (@viejo, @reciente, @aceptado)", new { viejo, reciente, aceptado });
        Assert.Equal(string.Join(",", new[] { aceptado, reciente }.Order(StringComparer.Ordinal)), quedan);
    }

    // ---- 3. forwarded headers only from known proxies

    [Fact]
    public async Task Rotar_X_Forwarded_For_no_evita_el_429_del_inicio_de_sesion()
    {
        using var desde = HostSeguridad.ClienteDesde(host, "127.0.0.4");
        var codigos = new List<int>();
        for (var i = 0; i < HostSeguridad.AnonimoPorMinuto + 10; i++)
        {
            var req = Json(HttpMethod.Post, "api/auth/token", """{"usuario":"admin","password":"adivinanza"}""");
            req.Headers.Add("X-Forwarded-For", $"203.0.113.{i % 250 + 1}");
            using var r = await desde.SendAsync(req);
            codigos.Add((int)r.StatusCode);
        }
        Assert.Contains(429, codigos);
    }

    [Fact]
    public async Task Desde_un_proxy_conocido_X_Forwarded_For_distingue_a_los_clientes()
    {
        using var proxy = HostSeguridad.ClienteDesde(host, HostSeguridad.ProxyConocido);
        for (var i = 0; i < HostSeguridad.AnonimoPorMinuto + 10; i++)
        {
            var req = Json(HttpMethod.Post, "api/auth/token", """{"usuario":"admin","password":"adivinanza"}""");
            req.Headers.Add("X-Forwarded-For", $"198.51.100.{i % 250 + 1}");
            using var r = await proxy.SendAsync(req);
            Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        }
    }

    // ---- 4. security headers

    [Theory]
    [InlineData("api/health")]
    [InlineData("api/no-existe")]
    [InlineData("portal-cliente/")]
    [InlineData("portal-cliente/app.js")]
    public async Task Toda_respuesta_lleva_los_encabezados_de_seguridad_y_ningun_Server(string ruta)
    {
        using var r = await host.Http.GetAsync(ruta);
        Assert.Equal("nosniff", Encabezado(r, "X-Content-Type-Options"));
        Assert.Equal("DENY", Encabezado(r, "X-Frame-Options"));
        Assert.Equal("no-referrer", Encabezado(r, "Referrer-Policy"));
        var csp = Encabezado(r, "Content-Security-Policy");
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.DoesNotContain("unsafe-inline", csp);
        Assert.DoesNotContain("unsafe-eval", csp);
        Assert.False(r.Headers.Contains("Server"), $"Server: {string.Join(",", r.Headers.TryGetValues("Server", out var s) ? s : [])}");
    }

    [Fact]
    public async Task Las_respuestas_de_la_API_con_datos_personales_no_se_guardan_en_cache()
    {
        var req = new HttpRequestMessage(HttpMethod.Get, $"api/clientes/{ClienteDemo}");
        req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", host.TokenPara("admin", ["admin"]));
        using var r = await host.Http.SendAsync(req);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.True(r.Headers.CacheControl?.NoStore, $"Cache-Control: {r.Headers.CacheControl}");
    }

    [Fact]
    public void La_configuracion_de_la_Static_Web_App_tiene_los_mismos_encabezados()
    {
        var archivo = Path.Combine(HostSeguridad.Raiz(), "static-web", "staticwebapp.config.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(archivo));
        var h = doc.RootElement.GetProperty("globalHeaders");
        Assert.Equal("nosniff", h.GetProperty("X-Content-Type-Options").GetString());
        Assert.Equal("DENY", h.GetProperty("X-Frame-Options").GetString());
        Assert.Equal("no-referrer", h.GetProperty("Referrer-Policy").GetString());
        Assert.Contains("frame-ancestors 'none'", h.GetProperty("Content-Security-Policy").GetString());
        Assert.Contains("script-src 'self'", h.GetProperty("Content-Security-Policy").GetString());
    }

    // ---- 5. content type, replays, HEAD

    [Fact]
    public async Task Un_cuerpo_que_no_es_application_json_recibe_415()
    {
        using var r = await host.Http.SendAsync(Json(HttpMethod.Post, "api/pagos",
            $$"""{"clienteId":"{{ClienteDemo}}","monto":10.5,"metodo":"efectivo"}""", "cobranzas", clave: true, tipo: "text/plain"));
        await Problemas.AfirmarAsync(r, HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task Una_respuesta_idempotente_repetida_conserva_Location_y_ETag()
    {
        var cuerpo = JsonSerializer.Serialize(Clientes.Datos.Cliente());
        var clave = Guid.NewGuid().ToString();
        HttpRequestMessage Alta()
        {
            var m = Json(HttpMethod.Post, "api/clientes", cuerpo, "admin");
            m.Headers.Add("Idempotency-Key", clave);
            return m;
        }
        using var primera = await host.Http.SendAsync(Alta());
        Assert.Equal(HttpStatusCode.Created, primera.StatusCode);
        using var repetida = await host.Http.SendAsync(Alta());
        Assert.Equal("true", Encabezado(repetida, "Idempotent-Replayed"));
        Assert.Equal(primera.Headers.Location, repetida.Headers.Location);
        Assert.NotNull(primera.Headers.ETag);
        Assert.Equal(primera.Headers.ETag, repetida.Headers.ETag);
    }

    [Fact]
    public async Task HEAD_responde_donde_responde_GET()
    {
        // Declared in each [HttpTrigger], so the real Functions host answers HEAD exactly where the local host does.
        var sinHead = CatalogoFunciones.Descubrir(typeof(Telecable.Functions.Registro).Assembly, typeof(Telecable.Orchestrations.Contexto).Assembly)
            .Where(f => f.Disparador == Disparador.Http)
            .Select(f => (f.Nombre, Metodos: ((HttpTriggerAttribute)f.Atributo).Methods ?? []))
            .Where(f => f.Metodos.Contains("get", StringComparer.OrdinalIgnoreCase) && !f.Metodos.Contains("head", StringComparer.OrdinalIgnoreCase))
            .Select(f => f.Nombre).ToList();
        Assert.True(sinHead.Count == 0, "Funciones GET sin HEAD: " + string.Join(", ", sinHead));

        foreach (var ruta in new[] { "api/health", "api/catalogo/zonas" })
        {
            using var r = await host.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, ruta));
            Assert.True(r.StatusCode == HttpStatusCode.OK, $"HEAD {ruta}: {(int)r.StatusCode}");
            Assert.Empty(await r.Content.ReadAsByteArrayAsync());
        }
    }

    private static string Encabezado(HttpResponseMessage r, string nombre) =>
        r.Headers.TryGetValues(nombre, out var v) || r.Content.Headers.TryGetValues(nombre, out v) ? string.Join(",", v) : "";
}

/// <summary>The local host with low limits, a webhook secret and one known proxy address (127.0.0.3).</summary>
public sealed class HostSeguridad : HostPrueba
{
    public const int AnonimoPorMinuto = 10;
    public const int FallosPorMinuto = 8;
    public const string ProxyConocido = "127.0.0.3";

    protected override IDictionary<string, string?> Ajustes => new Dictionary<string, string?>
    {
        ["Webhooks:Pagos:Secretos:0"] = Secreto,
        ["Limites:AnonimoPorMinuto"] = AnonimoPorMinuto.ToString(),
        ["Limites:FallosFirmadosPorMinuto"] = FallosPorMinuto.ToString(),
        ["Proxies:Conocidos:0"] = ProxyConocido,
        ["Routers:DetectarDesconexiones"] = "false",
    };

    private const string Secreto = "whsec_seguridad_de_pruebas_0123456789";

    /// <summary>A signed delivery to the emulated gateway (unsigned when <paramref name="firmar"/> is false).</summary>
    public Task<HttpResponseMessage> WebhookAsync(string cuerpo, bool firmar = true)
    {
        var req = new HttpRequestMessage(HttpMethod.Post, "api/pagos/webhooks/emulada") { Content = new StringContent(cuerpo, Encoding.UTF8, "application/json") };
        if (firmar) req.Headers.TryAddWithoutValidation(FirmaStripe.Encabezado,
            FirmaStripe.Generar(Encoding.UTF8.GetBytes(cuerpo), DateTimeOffset.UtcNow.ToUnixTimeSeconds(), Secreto));
        return Http.SendAsync(req);
    }

    /// <summary>An HttpClient whose connections leave from the given loopback address, so the host sees that client address.</summary>
    public static HttpClient ClienteDesde(HostPrueba host, string direccion)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (ctx, ct) =>
            {
                var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    s.Bind(new IPEndPoint(IPAddress.Parse(direccion), 0));
                    await s.ConnectAsync(ctx.DnsEndPoint, ct);
                    return new NetworkStream(s, ownsSocket: true);
                }
                catch
                {
                    s.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = host.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>The repository's root (the folder holding Telecable.sln).</summary>
    public static string Raiz()
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null && !File.Exists(Path.Combine(d.FullName, "Telecable.sln"))) d = d.Parent;
        return d?.FullName ?? throw new InvalidOperationException("No se encontró Telecable.sln.");
    }
}
