using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Moq;
using Telecable.Application.Observabilidad;
using Telecable.Domain.Comun;
using Telecable.Functions.Http;
using Telecable.Infrastructure.Idempotencia;
using Telecable.Infrastructure.Observabilidad;
using Telecable.Infrastructure.Seguridad;

namespace Telecable.UnitTests;

/// <summary>
/// The access log line Api writes for every request (the same code under the real Functions host and the
/// local host, both of which call Api), rendered by the app's JSON formatter.
/// </summary>
public sealed class RegistroAccesoTests
{
    private static readonly OpcionesAuth Auth = new() { SigningKeys = ["clave-de-pruebas-unitarias-de-32-bytes!!"], EmisorDesarrollo = true, DemoPassword = "x" };

    /// <summary>An ILogger that renders each entry as the hosts do (FormatoJson, with the request's scopes).</summary>
    private sealed class RegistradorJson(string categoria = "Telecable.Functions.Http.Api", LoggerExternalScopeProvider? scopes = null) : ILogger<Api>
    {
        private readonly LoggerExternalScopeProvider _scopes = scopes ?? new();
        public List<(LogLevel Nivel, JsonElement Linea, string Texto)> Lineas { get; } = [];

        public IDisposable BeginScope<TState>(TState state) where TState : notnull => _scopes.Push(state);
        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var w = new StringWriter();
            new FormatoJson().Write(new Microsoft.Extensions.Logging.Abstractions.LogEntry<TState>(logLevel, categoria, eventId, state, exception, formatter), _scopes, w);
            Lineas.Add((logLevel, JsonDocument.Parse(w.ToString()).RootElement.Clone(), w.ToString()));
        }
    }

    /// <summary>A logger factory as the hosts have one: one scope store shared by every category.</summary>
    private sealed class FabricaJson : ILoggerFactory
    {
        private readonly LoggerExternalScopeProvider _scopes = new();
        public Dictionary<string, RegistradorJson> PorCategoria { get; } = [];

        public ILogger CreateLogger(string categoryName) =>
            PorCategoria.TryGetValue(categoryName, out var r) ? r : PorCategoria[categoryName] = new RegistradorJson(categoryName, _scopes);

        public void AddProvider(ILoggerProvider provider) { }
        public void Dispose() { }
    }

    private static (Api, RegistradorJson) Crear()
    {
        var log = new RegistradorJson();
        return (new Api(new ValidadorTokens(Auth), new Mock<IAlmacenIdempotencia>(MockBehavior.Strict).Object, ApiTests.Limitador(1000), log), log);
    }

    private static HttpRequest Solicitud(string? token, string cuerpo, string metodo = "PATCH")
    {
        var ctx = new DefaultHttpContext();
        ctx.Request.Method = metodo;
        ctx.Request.Path = "/api/clientes/5d9f0c2e-1111-4222-8333-944445555666";
        ctx.Request.QueryString = new QueryString("?rfc=XAXX010101000");
        ctx.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(cuerpo));
        ctx.Request.Headers[Correlacion.Encabezado] = "cid-acceso-1";
        if (token is not null) ctx.Request.Headers.Authorization = "Bearer " + token;
        return ctx.Request;
    }

    private static JsonElement LineaDeAcceso(RegistradorJson log) =>
        Assert.Single(log.Lineas, l => l.Linea.GetProperty("message").GetString()!.StartsWith("HTTP ", StringComparison.Ordinal)).Linea;

    [Fact]
    public async Task Una_solicitud_exitosa_deja_una_linea_json_con_metodo_ruta_status_duracion_cid_y_sujeto_sin_token_ni_cuerpo()
    {
        var (api, log) = Crear();
        var token = new EmisorDesarrollo(Auth, TimeProvider.System).Emitir(UsuariosDemo.Todos.Single(u => u.Usuario == "soporte"));
        var cuerpo = """{"telefono":"8112345678","secreto":"cuerpo-que-no-se-registra"}""";

        var r = await api.EjecutarAsync(Solicitud(token, cuerpo), Permiso.Para(Roles.Soporte), async l =>
        {
            await l.CuerpoAsync();
            return Respuestas.Ok(new { ok = true });
        }, funcion: "ActualizarCliente");

        Assert.Equal(200, Assert.IsType<RespuestaJson>(r).Status);
        var j = LineaDeAcceso(log);
        Assert.Equal("PATCH", j.GetProperty("metodo").GetString());
        Assert.Equal("clientes/{id}", j.GetProperty("ruta").GetString());
        Assert.Equal("200", j.GetProperty("status").GetString());
        Assert.True(double.Parse(j.GetProperty("duracionMs").GetString()!, System.Globalization.CultureInfo.InvariantCulture) >= 0);
        Assert.Equal("cid-acceso-1", j.GetProperty("cid").GetString());
        Assert.Equal("soporte", j.GetProperty("sujeto").GetString());
        Assert.Equal("ActualizarCliente", j.GetProperty("funcion").GetString());
        Assert.Equal("info", j.GetProperty("level").GetString());
        var texto = string.Concat(log.Lineas.Select(l => l.Texto));
        Assert.DoesNotContain(token, texto);
        Assert.DoesNotContain(token.Split('.')[2], texto);
        Assert.DoesNotContain("cuerpo-que-no-se-registra", texto);
        Assert.DoesNotContain("XAXX010101000", texto);
        Assert.DoesNotContain("5d9f0c2e", texto);
    }

    [Fact]
    public async Task Una_solicitud_sin_token_queda_como_anonimo_con_su_401_y_una_falla_como_warning_500()
    {
        var (api, log) = Crear();
        await api.EjecutarAsync(Solicitud(null, ""), Permiso.Para(Roles.Admin), _ => throw new InvalidOperationException(), funcion: "ActualizarCliente");
        var j = LineaDeAcceso(log);
        Assert.Equal("401", j.GetProperty("status").GetString());
        Assert.Equal("anonimo", j.GetProperty("sujeto").GetString());

        var (api2, log2) = Crear();
        await api2.EjecutarAsync(Solicitud(null, "", "GET"), Permiso.Publica, _ => throw new InvalidOperationException("falla interna"), funcion: "ActualizarCliente");
        var k = LineaDeAcceso(log2);
        Assert.Equal("500", k.GetProperty("status").GetString());
        Assert.Equal("warn", k.GetProperty("level").GetString());
    }

    [Fact]
    public async Task Con_los_servicios_del_host_la_linea_va_a_su_propia_categoria_con_el_cid_del_alcance()
    {
        var fabrica = new FabricaJson();
        var api = new Api(new ValidadorTokens(Auth), new Mock<IAlmacenIdempotencia>(MockBehavior.Strict).Object, ApiTests.Limitador(1000),
            (ILogger<Api>)fabrica.CreateLogger("Telecable.Functions.Http.Api"));
        var req = Solicitud(null, "", "GET");
        req.HttpContext.RequestServices = new ServiceCollection()
            .AddSingleton<ILoggerFactory>(fabrica).BuildServiceProvider();

        await api.EjecutarAsync(req, Permiso.Publica, _ => Task.FromResult<IActionResult>(Respuestas.Ok(1)), funcion: "ObtenerCliente");

        var j = LineaDeAcceso(fabrica.PorCategoria[RegistroAcceso.Categoria]);
        Assert.Equal(RegistroAcceso.Categoria, j.GetProperty("category").GetString());
        Assert.Equal("cid-acceso-1", j.GetProperty("cid").GetString());
        Assert.Equal("clientes/{id}", j.GetProperty("ruta").GetString());
        Assert.DoesNotContain(fabrica.PorCategoria["Telecable.Functions.Http.Api"].Lineas, l => l.Texto.Contains("\"ruta\"", StringComparison.Ordinal));
    }

    [Fact]
    public void La_ruta_es_la_plantilla_del_HttpTrigger_de_cada_funcion()
    {
        var req = new DefaultHttpContext().Request;
        req.Path = "/otra";
        Assert.Equal("metrics", RegistroAcceso.Ruta("Metricas", req));
        Assert.Equal("operaciones/resumen", RegistroAcceso.Ruta("ResumenOperacion", req));
        Assert.Equal("/otra", RegistroAcceso.Ruta("NoEsUnaFuncion", req));
    }
}
