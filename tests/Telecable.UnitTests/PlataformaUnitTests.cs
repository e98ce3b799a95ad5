using System.Text.Json;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using Telecable.Application.Observabilidad;
using Telecable.Infrastructure.Observabilidad;
using Telecable.LocalHost.Funciones;

namespace Telecable.UnitTests;

public sealed class PlataformaUnitTests
{
    [Fact]
    public void Las_llamadas_del_SDK_de_Azure_y_del_sidecar_no_llevan_un_segundo_span_de_HttpClient()
    {
        static HttpRequestMessage Solicitud(string url, bool sdkAzure)
        {
            var r = new HttpRequestMessage(HttpMethod.Put, url);
            if (sdkAzure) r.Headers.Add("x-ms-version", "2025-01-05");
            return r;
        }

        Assert.True(Telemetria.TrazarLlamadaHttp(Solicitud("https://api.pac.example/timbrar", sdkAzure: false)));
        // The Azure SDK's pipeline already traces each call through the Azure.* sources.
        Assert.False(Telemetria.TrazarLlamadaHttp(Solicitud("http://127.0.0.1:10000/devstoreaccount1/cfdi/A.xml", sdkAzure: true)));
        Assert.False(Telemetria.TrazarLlamadaHttp(Solicitud($"http://127.0.0.1:7071{Telemetria.RutaSidecarDurable}/poll", sdkAzure: false)));
    }

    [Fact]
    public void El_host_local_sirve_exactamente_las_funciones_que_lista_el_metadata_del_SDK()
    {
        // functions.metadata is what the real Functions host loads; the worker SDK generates it at build.
        var metadata = Path.Combine(AppContext.BaseDirectory, "functions.metadata");
        Assert.True(File.Exists(metadata), "El SDK de Functions no generó functions.metadata");
        var delSdk = JsonDocument.Parse(File.ReadAllText(metadata)).RootElement.EnumerateArray()
            .Select(f => f.GetProperty("name").GetString()!).Order().ToList();
        var delHost = CatalogoFunciones.Descubrir(typeof(Telecable.Functions.Registro).Assembly, typeof(Telecable.Orchestrations.Contexto).Assembly)
            .Select(f => f.Nombre).Order().ToList();
        Assert.Equal(delSdk, delHost);
        Assert.Contains("Salud", delHost);
        Assert.Contains("SondaDurable", delHost);
    }

    [Fact]
    public void Cada_linea_de_log_es_un_objeto_json_con_cid_servicio_nivel_y_hora()
    {
        var formato = new FormatoJson();
        var escritor = new StringWriter();
        var scopes = new LoggerExternalScopeProvider();
        using (scopes.Push(new Dictionary<string, object?> { ["cid"] = "cid-77" }))
        {
            formato.Write(new Microsoft.Extensions.Logging.Abstractions.LogEntry<IReadOnlyList<KeyValuePair<string, object?>>>(
                LogLevel.Warning, "Categoria", new EventId(1), [new("Factura", "A-1"), new("{OriginalFormat}", "Factura {Factura}")], null,
                (s, _) => "Factura A-1"), scopes, escritor);
        }
        var j = JsonDocument.Parse(escritor.ToString()).RootElement;
        Assert.Equal("cid-77", j.GetProperty("cid").GetString());
        Assert.Equal("warn", j.GetProperty("level").GetString());
        Assert.Equal(Telemetria.Servicio, j.GetProperty("service").GetString());
        Assert.Equal("A-1", j.GetProperty("factura").GetString());
        Assert.True(DateTimeOffset.TryParse(j.GetProperty("timestamp").GetString(), out _));
        Assert.EndsWith("\n", escritor.ToString());
    }

    [Fact]
    public void Una_orquestacion_que_nombra_su_cid_en_el_mensaje_lo_lleva_como_cid_una_sola_vez()
    {
        var escritor = new StringWriter();
        new FormatoJson().Write(new Microsoft.Extensions.Logging.Abstractions.LogEntry<IReadOnlyList<KeyValuePair<string, object?>>>(
            LogLevel.Information, "TimbradoMasivo", new EventId(1), [new("Corrida", "c-1"), new("Cid", "cid-orq"), new("{OriginalFormat}", "Corrida {Corrida}; cid {Cid}")], null,
            (_, _) => "Corrida c-1; cid cid-orq"), null, escritor);
        var linea = escritor.ToString();
        Assert.Equal("cid-orq", JsonDocument.Parse(linea).RootElement.GetProperty("cid").GetString());
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(linea, "\"cid\":"));
    }

    [Fact]
    public void Application_Insights_solo_con_su_connection_string_y_con_la_identidad_administrada_que_nombra()
    {
        static ServiceProvider Con(Dictionary<string, string?> ajustes)
        {
            var s = new ServiceCollection();
            Telecable.Functions.Registro.AgregarTelemetria(s, new ConfigurationBuilder().AddInMemoryCollection(ajustes).Build());
            return s.BuildServiceProvider();
        }

        using (var sin = Con([]))
            Assert.Null(sin.GetService<IConfigureOptions<AzureMonitorExporterOptions>>());

        const string cs = "InstrumentationKey=00000000-0000-0000-0000-000000000001;IngestionEndpoint=https://example.invalid/";
        using var con = Con(new() { ["APPLICATIONINSIGHTS_CONNECTION_STRING"] = cs, ["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"] = "ClientId=11111111-2222-3333-4444-555555555555;Authorization=AAD" });
        var o = con.GetRequiredService<IOptionsMonitor<AzureMonitorExporterOptions>>().CurrentValue;
        Assert.Equal(cs, o.ConnectionString);
        Assert.IsType<Azure.Identity.ManagedIdentityCredential>(o.Credential);
        Assert.Equal("11111111-2222-3333-4444-555555555555", Telecable.Functions.Registro.IdentidadAppInsights("ClientId=11111111-2222-3333-4444-555555555555;Authorization=AAD"));
        Assert.Null(Telecable.Functions.Registro.IdentidadAppInsights("Authorization=AAD"));
    }

    [Theory]
    [InlineData("abc-123_x.y", "abc-123_x.y")]
    [InlineData("con espacio", null)]
    [InlineData("", null)]
    [InlineData("\n{\"falso\":1}", null)]
    public void El_cid_recibido_solo_se_acepta_si_es_corto_y_simple(string recibido, string? esperado)
    {
        var cid = Correlacion.Normalizar(recibido);
        if (esperado is not null) Assert.Equal(esperado, cid);
        else Assert.Matches("^[0-9a-f]{32}$", cid);
    }

    [Fact]
    public void Un_cron_con_setting_se_resuelve_y_uno_sin_setting_falla_claro()
    {
        var config = new Microsoft.Extensions.Configuration.ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["OutboxRelayCron"] = "*/2 * * * * *" }).Build();
        Assert.Equal("*/2 * * * * *", Telecable.LocalHost.Configuracion.Resolver("%OutboxRelayCron%", config));
        Assert.Equal("0 0 * * * *", Telecable.LocalHost.Configuracion.Resolver("0 0 * * * *", config));
        Assert.Throws<InvalidOperationException>(() => { _ = Telecable.LocalHost.Configuracion.Resolver("%NoExiste%", config); });
    }

    [Fact]
    public async Task Metricas_propias_salen_en_formato_prometheus_con_contadores_e_histogramas()
    {
        using var metricas = new MetricasPrometheus();
        var contador = Telemetria.Medidor.CreateCounter<long>("telecable.prueba.eventos", description: "Eventos de prueba");
        var histograma = Telemetria.Medidor.CreateHistogram<double>("telecable.prueba.latencia", unit: "ms");
        contador.Add(2, new KeyValuePair<string, object?>("tipo", "a\"b"));
        contador.Add(3, new KeyValuePair<string, object?>("tipo", "a\"b"));
        histograma.Record(7);
        histograma.Record(700);
        var texto = await metricas.RenderizarAsync();
        Assert.Contains("# TYPE telecable_prueba_eventos_total counter", texto);
        Assert.Contains("telecable_prueba_eventos_total{tipo=\"a\\\"b\"} 5", texto);
        Assert.Contains("# TYPE telecable_prueba_latencia_ms histogram", texto);
        Assert.Contains("telecable_prueba_latencia_ms_bucket{le=\"10\"} 1", texto);
        Assert.Contains("telecable_prueba_latencia_ms_bucket{le=\"+Inf\"} 2", texto);
        Assert.Contains("telecable_prueba_latencia_ms_sum 707", texto);
    }
}
