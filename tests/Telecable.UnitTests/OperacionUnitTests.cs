using System.Net;
using Microsoft.Extensions.DependencyInjection;
using System.Text;
using Moq;
using Telecable.Functions;
using Telecable.Infrastructure.Observabilidad;
using Telecable.Infrastructure.Operacion;
using Telecable.Infrastructure.Pac;

namespace Telecable.UnitTests;

/// <summary>The pieces of the operations page and of /api/metrics that need no database: Prometheus's alerts, dependency probes, PAC timing.</summary>
public sealed class OperacionUnitTests
{
    private sealed class Respuesta(HttpStatusCode status, string cuerpo) : HttpMessageHandler
    {
        public Uri? Pedida { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Pedida = request.RequestUri;
            return Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent(cuerpo, Encoding.UTF8, "application/json") });
        }
    }

    [Fact]
    public async Task Las_alertas_de_Prometheus_se_leen_de_api_v1_alerts_las_disparadas_primero()
    {
        var h = new Respuesta(HttpStatusCode.OK, """
            {"status":"success","data":{"alerts":[
              {"labels":{"alertname":"TelecableOutboxRetrasado","severity":"warning"},"annotations":{"summary":"Outbox"},"state":"pending","activeAt":"2026-12-03T20:00:00Z","value":"400"},
              {"labels":{"alertname":"TelecableDependenciaCaida","dependencia":"blobStorage","severity":"critical"},"annotations":{"summary":"Blob caído"},"state":"firing","activeAt":"2026-12-03T19:58:00.5Z","value":"0"}]}}
            """);
        var alertas = await new AlertasPrometheus(new HttpClient(h)).LeerAsync("http://prometheus:9090/", CancellationToken.None);
        Assert.Equal("http://prometheus:9090/api/v1/alerts", h.Pedida!.ToString());
        Assert.Equal(["TelecableDependenciaCaida", "TelecableOutboxRetrasado"], alertas.Select(a => a.Nombre));
        Assert.Equal("firing", alertas[0].Estado);
        Assert.Equal("critical", alertas[0].Severidad);
        Assert.Equal("Blob caído", alertas[0].Resumen);
        Assert.Equal(new DateTimeOffset(2026, 12, 3, 19, 58, 0, 500, TimeSpan.Zero), alertas[0].Desde);
    }

    [Fact]
    public async Task Una_dependencia_que_no_responde_a_tiempo_queda_en_cero_sin_lanzar()
    {
        Assert.False(await MetricasOperacion.SondearAsync("prueba-lenta", ct => Task.Delay(Timeout.Infinite, ct), TimeSpan.FromMilliseconds(50), CancellationToken.None));
        Assert.False(await MetricasOperacion.SondearAsync("prueba-falla", _ => throw new HttpRequestException("caído"), TimeSpan.FromSeconds(1), CancellationToken.None));
        Assert.True(await MetricasOperacion.SondearAsync("prueba-ok", _ => Task.CompletedTask, TimeSpan.FromSeconds(1), CancellationToken.None));
        using var metricas = new MetricasPrometheus();
        var texto = await metricas.RenderizarAsync();
        Assert.Contains("telecable_dependencia_disponible{dependencia=\"prueba-lenta\"} 0", texto);
        Assert.Contains("telecable_dependencia_disponible{dependencia=\"prueba-falla\"} 0", texto);
        Assert.Contains("telecable_dependencia_disponible{dependencia=\"prueba-ok\"} 1", texto);
    }

    [Fact]
    public async Task Cada_llamada_al_PAC_queda_medida_con_su_operacion_y_resultado()
    {
        var pac = new Mock<IPacClient>();
        pac.Setup(p => p.TimbrarAsync("a", It.IsAny<CancellationToken>())).ReturnsAsync(ResultadoTimbrado.Error(CodigosPac.NoDisponible, "caído"));
        pac.Setup(p => p.TimbrarAsync("b", It.IsAny<CancellationToken>())).ThrowsAsync(new TimeoutException());
        using var metricas = new MetricasPrometheus();
        var medido = new PacMedido(pac.Object);
        Assert.True((await medido.TimbrarAsync("a", CancellationToken.None)).EsTransitorio);
        await Assert.ThrowsAsync<TimeoutException>(() => medido.TimbrarAsync("b", CancellationToken.None));
        var texto = await metricas.RenderizarAsync();
        Assert.Contains("telecable_pac_duracion_ms_count{operacion=\"timbrar\",resultado=\"no_disponible\"} 1", texto);
        Assert.Contains("telecable_pac_duracion_ms_count{operacion=\"timbrar\",resultado=\"excepcion\"} 1", texto);
    }
}

/// <summary>AgregarOperaciones wraps whichever IPacClient the billing registration chose, however it was registered.</summary>
public sealed class RegistroOperacionesTests
{
    private sealed class PacDeTipo : IPacClient
    {
        public Task<ResultadoTimbrado> TimbrarAsync(string xmlSellado, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<ResultadoCancelacion> CancelarAsync(string uuid, string rfcEmisor, string motivo, string? folioSustitucion, CancellationToken cancellationToken) =>
            Task.FromResult(new ResultadoCancelacion(true, CodigosPac.CancelacionAceptada, "ok", uuid, null));
    }

    [Fact]
    public async Task El_PAC_registrado_por_instancia_por_fabrica_o_por_tipo_queda_medido()
    {
        var config = new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build();
        var instancia = new PacDeTipo();
        foreach (var registrar in new Action<IServiceCollection>[]
                 {
                     s => s.AddSingleton<IPacClient>(instancia),
                     s => s.AddSingleton<IPacClient>(_ => instancia),
                     s => s.AddSingleton<IPacClient, PacDeTipo>(),
                 })
        {
            var s = new ServiceCollection();
            registrar(s);
            s.AgregarOperaciones(config);
            using var sp = s.BuildServiceProvider();
            var pac = sp.GetRequiredService<IPacClient>();
            Assert.IsType<PacMedido>(pac);
            Assert.True((await pac.CancelarAsync("u", "EKU9003173C9", "02", null, CancellationToken.None)).Exitoso);
        }
        Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AgregarOperaciones(config));
    }
}
