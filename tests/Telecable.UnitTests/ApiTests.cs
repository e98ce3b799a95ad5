using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;
using Telecable.Domain.Comun;
using Telecable.Functions.Http;
using Telecable.Infrastructure.Idempotencia;
using Telecable.Infrastructure.Seguridad;

namespace Telecable.UnitTests;

/// <summary>The HTTP pipeline every function calls first, exercised without a host: auth, errors, idempotency.</summary>
public sealed class ApiTests
{
    private static readonly OpcionesAuth Auth = new() { SigningKeys = ["clave-de-pruebas-unitarias-de-32-bytes!!"], EmisorDesarrollo = true, DemoPassword = "x" };
    private readonly Mock<IAlmacenIdempotencia> _almacen = new(MockBehavior.Strict);
    private readonly Api _api;

    public ApiTests() => _api = new Api(new ValidadorTokens(Auth), _almacen.Object, Limitador(1000), NullLogger<Api>.Instance);

    internal static LimitadorSolicitudes Limitador(int porMinuto)
    {
        var config = new Microsoft.Extensions.Configuration.ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Limites:AnonimoPorMinuto"] = porMinuto.ToString() }).Build();
        return new(config, new DireccionCliente(config));
    }

    private static string Token(string usuario) =>
        new EmisorDesarrollo(Auth, TimeProvider.System).Emitir(UsuariosDemo.Todos.Single(u => u.Usuario == usuario));

    private static HttpRequest Solicitud(string? usuario = null, string cuerpo = "", string? clave = null)
    {
        var ctx = new DefaultHttpContext();
        ctx.Request.Method = "POST";
        ctx.Request.Path = "/api/prueba";
        ctx.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(cuerpo));
        if (cuerpo.Length > 0) ctx.Request.ContentType = "application/json";
        if (usuario is not null) ctx.Request.Headers.Authorization = "Bearer " + Token(usuario);
        if (clave is not null) ctx.Request.Headers["Idempotency-Key"] = clave;
        return ctx.Request;
    }

    private static RespuestaJson Json(IActionResult r) => Assert.IsType<RespuestaJson>(r);

    private static JsonElement Cuerpo(IActionResult r) => JsonDocument.Parse(Json(r).Cuerpo!).RootElement;

    [Fact]
    public async Task Sin_token_es_401_con_WWW_Authenticate_y_la_accion_no_corre()
    {
        var corrio = false;
        var r = Json(await _api.EjecutarAsync(Solicitud(), Permiso.Para(Roles.Admin), _ => { corrio = true; return Task.FromResult<IActionResult>(Respuestas.SinContenido()); }));
        Assert.Equal(401, r.Status);
        Assert.Equal("Bearer", r.Encabezados["WWW-Authenticate"]);
        Assert.StartsWith("application/problem+json", r.TipoContenido);
        Assert.False(corrio);
    }

    [Fact]
    public async Task Rol_equivocado_es_403_y_rol_correcto_llega_con_el_usuario()
    {
        Assert.Equal(403, Json(await _api.EjecutarAsync(Solicitud("cliente"), Permiso.Para(Roles.Admin), _ => throw new InvalidOperationException())).Status);
        Usuario? visto = null;
        var r = await _api.EjecutarAsync(Solicitud("tecnico"), Permiso.Para(Roles.Tecnico), l => { visto = l.Usuario; return Task.FromResult<IActionResult>(Respuestas.Ok(1)); });
        Assert.Equal(200, Json(r).Status);
        Assert.Equal(UsuariosDemo.TecnicoDemoId, visto!.TecnicoId);
    }

    [Theory]
    [InlineData(typeof(ErrorNoEncontrado), 404)]
    [InlineData(typeof(ErrorConflicto), 409)]
    [InlineData(typeof(ErrorRegla), 422)]
    [InlineData(typeof(ErrorCuerpoGrande), 413)]
    public async Task Errores_de_dominio_se_vuelven_su_status(Type tipo, int status)
    {
        Exception ex = tipo.Name switch
        {
            nameof(ErrorNoEncontrado) => new ErrorNoEncontrado("cliente", "1"),
            nameof(ErrorConflicto) => new ErrorConflicto("ya existe"),
            nameof(ErrorRegla) => new ErrorRegla("no se puede", "campo"),
            _ => new ErrorCuerpoGrande(),
        };
        var r = await _api.EjecutarAsync(Solicitud(), Permiso.Publica, _ => throw ex);
        Assert.Equal(status, Json(r).Status);
        Assert.Equal(status, Cuerpo(r).GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Validacion_400_lista_cada_campo()
    {
        var r = await _api.EjecutarAsync(Solicitud(), Permiso.Publica, _ =>
        {
            new Validador().Requerido(null, "rfc").Regla(false, "email", "Formato inválido.").Lanzar();
            return Task.FromResult<IActionResult>(Respuestas.SinContenido());
        });
        var errores = Cuerpo(r).GetProperty("errors");
        Assert.Equal("Es obligatorio.", errores.GetProperty("rfc")[0].GetString());
        Assert.Equal("Formato inválido.", errores.GetProperty("email")[0].GetString());
    }

    [Fact]
    public async Task Una_falla_es_500_sin_detalles_internos()
    {
        var r = await _api.EjecutarAsync(Solicitud(), Permiso.Publica, _ => throw new InvalidOperationException("cadena de conexión secreta"));
        Assert.Equal(500, Json(r).Status);
        Assert.DoesNotContain("secreta", Json(r).Cuerpo);
        Assert.Contains(Cuerpo(r).GetProperty("cid").GetString()!, Cuerpo(r).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Idempotencia_sin_clave_es_400_y_no_toca_el_almacen()
    {
        var r = await _api.EjecutarIdempotenteAsync(Solicitud("admin", "{}"), Permiso.Para(Roles.Admin), _ => throw new InvalidOperationException());
        Assert.Equal(400, Json(r).Status);
        Assert.True(Cuerpo(r).GetProperty("errors").TryGetProperty("Idempotency-Key", out _));
        _almacen.VerifyNoOtherCalls();
    }

    [Fact]
    public async Task Idempotencia_repetida_devuelve_lo_guardado_sin_correr_la_accion()
    {
        _almacen.Setup(a => a.ReservarAsync(It.IsAny<string>(), "k", It.IsAny<byte[]>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new Reserva.Repetida(201, "application/json", """{"id":7}"""));
        var r = Json(await _api.EjecutarIdempotenteAsync(Solicitud("admin", "{}", "k"), Permiso.Para(Roles.Admin), _ => throw new InvalidOperationException("no debe correr")));
        Assert.Equal(201, r.Status);
        Assert.Equal("""{"id":7}""", r.Cuerpo);
        Assert.Equal("true", r.Encabezados["Idempotent-Replayed"]);
    }

    [Fact]
    public async Task Idempotencia_en_curso_409_y_otra_solicitud_422()
    {
        _almacen.Setup(a => a.ReservarAsync(It.IsAny<string>(), "curso", It.IsAny<byte[]>(), It.IsAny<CancellationToken>())).ReturnsAsync(new Reserva.EnCurso());
        _almacen.Setup(a => a.ReservarAsync(It.IsAny<string>(), "otra", It.IsAny<byte[]>(), It.IsAny<CancellationToken>())).ReturnsAsync(new Reserva.OtraSolicitud());
        Assert.Equal(409, Json(await _api.EjecutarIdempotenteAsync(Solicitud("admin", "{}", "curso"), Permiso.Para(Roles.Admin), _ => throw new InvalidOperationException())).Status);
        Assert.Equal(422, Json(await _api.EjecutarIdempotenteAsync(Solicitud("admin", "{}", "otra"), Permiso.Para(Roles.Admin), _ => throw new InvalidOperationException())).Status);
    }

    [Fact]
    public async Task Idempotencia_nueva_guarda_la_respuesta_y_una_falla_libera_la_clave()
    {
        _almacen.Setup(a => a.ReservarAsync(It.IsAny<string>(), It.IsAny<string>(), It.IsAny<byte[]>(), It.IsAny<CancellationToken>())).ReturnsAsync(new Reserva.Nueva());
        _almacen.Setup(a => a.CompletarAsync(It.IsAny<string>(), "ok", 201, It.IsAny<string>(), """{"id":1}""", It.IsAny<IReadOnlyDictionary<string, string>?>(), It.IsAny<CancellationToken>())).Returns(Task.CompletedTask);
        _almacen.Setup(a => a.LiberarAsync(It.IsAny<string>(), "falla", It.IsAny<CancellationToken>())).Returns(Task.CompletedTask);

        var ok = await _api.EjecutarIdempotenteAsync(Solicitud("admin", "{}", "ok"), Permiso.Para(Roles.Admin), _ => Task.FromResult<IActionResult>(Respuestas.Creado("/x/1", new { id = 1 })));
        Assert.Equal(201, Json(ok).Status);
        var falla = await _api.EjecutarIdempotenteAsync(Solicitud("admin", "{}", "falla"), Permiso.Para(Roles.Admin), _ => throw new TimeoutException());
        Assert.Equal(500, Json(falla).Status);
        _almacen.Verify(a => a.CompletarAsync(It.IsAny<string>(), "ok", 201, It.IsAny<string>(), """{"id":1}""", It.IsAny<IReadOnlyDictionary<string, string>?>(), It.IsAny<CancellationToken>()), Times.Once);
        _almacen.Verify(a => a.LiberarAsync(It.IsAny<string>(), "falla", It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task La_huella_distingue_cuerpos_y_el_ambito_distingue_usuarios()
    {
        var vistas = new List<(string Ambito, byte[] Huella)>();
        _almacen.Setup(a => a.ReservarAsync(It.IsAny<string>(), "k", It.IsAny<byte[]>(), It.IsAny<CancellationToken>()))
            .Callback<string, string, byte[], CancellationToken>((amb, _, h, _) => vistas.Add((amb, h)))
            .ReturnsAsync(new Reserva.EnCurso());
        foreach (var (u, c) in new[] { ("admin", "{\"a\":1}"), ("admin", "{\"a\":2}"), ("soporte", "{\"a\":1}") })
            await _api.EjecutarIdempotenteAsync(Solicitud(u, c, "k"), Permiso.Personal, _ => throw new InvalidOperationException());
        Assert.NotEqual(vistas[0].Huella, vistas[1].Huella);
        Assert.Equal(vistas[0].Huella, vistas[2].Huella);
        Assert.NotEqual(vistas[0].Ambito, vistas[2].Ambito);
    }

    [Fact]
    public async Task Anonimos_en_endpoints_publicos_reciben_429_al_agotar_su_cuota_y_los_autenticados_no()
    {
        var api = new Api(new ValidadorTokens(Auth), _almacen.Object, Limitador(3), NullLogger<Api>.Instance);
        Task<IActionResult> Llamar(Permiso p, string? usuario = null) =>
            api.EjecutarAsync(Solicitud(usuario), p, _ => Task.FromResult<IActionResult>(Respuestas.Ok(1)));
        var status = new List<int>();
        for (var i = 0; i < 5; i++) status.Add(Json(await Llamar(Permiso.Publica)).Status);
        Assert.Equal([200, 200, 200, 429, 429], status);
        var r = Json(await Llamar(Permiso.Publica));
        Assert.Equal("1", r.Encabezados["Retry-After"]);
        Assert.Equal(200, Json(await Llamar(Permiso.Firmada)).Status);
        var conBasura = Solicitud();
        conBasura.Headers.Authorization = "Basic x";
        Assert.Equal(200, Json(await api.EjecutarAsync(conBasura, Permiso.Firmada, _ => Task.FromResult<IActionResult>(Respuestas.Ok(1)))).Status);
        Assert.Equal(200, Json(await Llamar(Permiso.Publica, "cliente")).Status);
    }

    // ---- issue 22, on the path the real Functions host runs (no local host): the same Api code

    [Fact]
    public async Task Toda_respuesta_de_Api_lleva_los_encabezados_de_seguridad_incluso_un_error()
    {
        foreach (var permiso in new[] { Permiso.Publica, Permiso.Para(Roles.Admin) })
        {
            var req = Solicitud();
            await _api.EjecutarAsync(req, permiso, _ => Task.FromResult<IActionResult>(Respuestas.Ok(1)));
            var h = req.HttpContext.Response.Headers;
            Assert.Equal("nosniff", h["X-Content-Type-Options"].ToString());
            Assert.Equal("DENY", h["X-Frame-Options"].ToString());
            Assert.Equal("no-store", h["Cache-Control"].ToString());
            Assert.Equal("no-referrer", h["Referrer-Policy"].ToString());
            Assert.Contains("frame-ancestors 'none'", h["Content-Security-Policy"].ToString());
        }
    }

    [Theory]
    [InlineData("text/plain", 415, "Content-Type")]
    [InlineData(null, 415, "Content-Type")]
    [InlineData("application/json", 400, "referencia")]
    [InlineData("application/problem+json", 400, "referencia")]
    public async Task El_lector_pide_JSON_y_nombra_el_campo_con_nul(string? tipo, int status, string campo)
    {
        var req = Solicitud("admin", """{"referencia":"a\u0000b"}""");
        req.ContentType = tipo;
        var r = Json(await _api.EjecutarAsync(req, Permiso.Para(Roles.Admin), async l => Respuestas.Ok(await l.LeerAsync<Dictionary<string, string>>())));
        Assert.Equal(status, r.Status);
        Assert.True(Cuerpo(r).GetProperty("errors").TryGetProperty(campo, out _), r.Cuerpo);
    }

    [Fact]
    public void X_Forwarded_For_solo_cuenta_desde_un_proxy_conocido()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Proxies:Conocidos:0"] = "10.0.0.0/8",
            ["Proxies:Conocidos:1"] = "192.0.2.7",
        }).Build();
        var d = new DireccionCliente(config);
        string De(string remota, string? reenviado)
        {
            var ctx = new DefaultHttpContext();
            ctx.Connection.RemoteIpAddress = System.Net.IPAddress.Parse(remota);
            if (reenviado is not null) ctx.Request.Headers["X-Forwarded-For"] = reenviado;
            return d.De(ctx);
        }
        Assert.Equal("198.51.100.9", De("198.51.100.9", "203.0.113.1"));          // a client cannot choose its address
        Assert.Equal("127.0.0.1", De("127.0.0.1", "203.0.113.1"));                // loopback is not trusted unless listed
        Assert.Equal("203.0.113.1", De("10.1.2.3", "203.0.113.1"));               // from a known network
        Assert.Equal("203.0.113.1", De("192.0.2.7", "6.6.6.6, 203.0.113.1"));     // one hop from the right: the spoofed left entry is ignored
        Assert.Equal("10.1.2.3", De("10.1.2.3", "no-es-ip"));
    }

    [Fact]
    public async Task Los_rechazos_de_endpoints_firmados_se_limitan_por_direccion_y_los_aciertos_no_cuentan()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Limites:FallosFirmadosPorMinuto"] = "2" }).Build();
        var api = new Api(new ValidadorTokens(Auth), _almacen.Object, new LimitadorSolicitudes(config, new DireccionCliente(config)), NullLogger<Api>.Instance);
        Task<IActionResult> Llamar(bool falla) => api.EjecutarAsync(Solicitud(), Permiso.Firmada,
            _ => falla ? throw new ErrorValidacion("firma", "mala") : Task.FromResult<IActionResult>(Respuestas.Ok(1)));
        var status = new List<int>();
        for (var i = 0; i < 3; i++) status.Add(Json(await Llamar(falla: false)).Status);
        for (var i = 0; i < 3; i++) status.Add(Json(await Llamar(falla: true)).Status);
        status.Add(Json(await Llamar(falla: false)).Status);
        Assert.Equal([200, 200, 200, 400, 400, 429, 429], status);
    }
}
