using System.Collections.Concurrent;
using System.Net;
using Google.Protobuf;

namespace Telecable.EndToEndTests;

/// <summary>
/// OTLP export as an operator configures it (the standard OTEL_EXPORTER_OTLP_* environment variables,
/// http/protobuf): a collector this test runs receives the trace of an HTTP call that starts an
/// onboarding, with the HTTP, function, orchestration and activity spans all in the caller's trace,
/// and the app's metrics.
/// </summary>
public sealed class OtlpTests
{
    [Fact]
    public async Task Con_endpoint_otlp_llegan_las_trazas_de_la_llamada_la_orquestacion_y_sus_actividades_y_las_metricas()
    {
        await using var colector = new ColectorOtlp();
        var cs = await Servicios.CrearBaseAsync("e2e");
        try
        {
            await using var host = new HostProceso("InMemory", cs, $"e2e{Guid.NewGuid():N}"[..16], new Dictionary<string, string>
            {
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = colector.Url,
                ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
                ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
                ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
            });
            await host.IniciarAsync();

            // The caller's own trace context: every span of this request and of the saga it starts must join it.
            var traza = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
            var padre = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()[..8]);
            var (alta, _) = await Flujos.IniciarAltaAsync(host.Http, $"otlp-{Guid.NewGuid():N}", $"00-{traza}-{padre}-01");
            Assert.Equal("completada", (await Flujos.EsperarAltaAsync(host.Http, alta)).GetProperty("estado").GetString());

            string[] esperados = ["POST /api/altas", "api IniciarAlta", "create_orchestration:AltaClienteOrquestacion",
                "orchestration:AltaClienteOrquestacion", "activity:EjecutarPasoAlta", "activity:TerminarAlta"];
            var spans = await colector.EsperarAsync(() =>
            {
                var s = colector.Spans().Where(x => x.TraceId == traza).ToList();
                return esperados.All(n => s.Any(x => x.Nombre == n)) ? s : null;
            }, () => $"Spans de la traza {traza}: {string.Join(", ", colector.Spans().Where(x => x.TraceId == traza).Select(x => x.Nombre).Distinct())}");

            // Parentage: caller -> ASP.NET Core server span -> the function's span -> the orchestration's creation.
            var servidor = spans.Single(s => s.Nombre == "POST /api/altas");
            Assert.Equal((padre, "Microsoft.AspNetCore", 2), (servidor.PadreId, servidor.Ambito, servidor.Tipo));
            var funcion = spans.Single(s => s.Nombre == "api IniciarAlta");
            Assert.Equal((servidor.SpanId, "Telecable"), (funcion.PadreId, funcion.Ambito));
            Assert.Equal(funcion.SpanId, spans.Single(s => s.Nombre == "create_orchestration:AltaClienteOrquestacion").PadreId);
            Assert.All(spans.Where(s => s.Nombre.StartsWith("activity:", StringComparison.Ordinal) || s.Nombre.StartsWith("orchestration:", StringComparison.Ordinal)),
                s => Assert.Equal("Microsoft.DurableTask", s.Ambito));
            // Every step of the saga ran as an activity in this trace: five steps and the closing one (more only on a retry).
            Assert.True(spans.Count(s => s.Nombre.StartsWith("activity:", StringComparison.Ordinal) && s.Tipo == 2) >= 6);
            Assert.Equal(["telecable-comercial"], colector.NombresDeServicio().Distinct());
            Assert.DoesNotContain(colector.Spans(), s => s.Nombre.Contains("TaskHubSidecarService", StringComparison.Ordinal));

            var metricas = await colector.EsperarAsync(() =>
            {
                var m = colector.Metricas();
                return m.Contains("telecable.http.solicitudes") && m.Contains("telecable.altas.terminadas") ? m : null;
            }, () => $"Métricas recibidas: {string.Join(", ", colector.Metricas())}");
            Assert.Contains("telecable.http.duracion", metricas);
        }
        finally
        {
            await Servicios.BorrarBaseAsync(cs);
        }
    }
}

/// <summary>One span as OTLP carries it (ids in lowercase hex; kind 1 internal, 2 server, 3 client, 4 producer).</summary>
public sealed record SpanOtlp(string TraceId, string SpanId, string PadreId, string Nombre, int Tipo, string Ambito);

/// <summary>
/// A minimal OTLP/HTTP collector: accepts POST /v1/traces and /v1/metrics (protobuf) on a free port and
/// decodes just the fields the test reads, with Google.Protobuf's wire reader (field numbers from
/// opentelemetry-proto: trace/v1/trace.proto, metrics/v1/metrics.proto, resource/v1/resource.proto).
/// </summary>
public sealed class ColectorOtlp : IAsyncDisposable
{
    private readonly HttpListener _http = new();
    private readonly ConcurrentQueue<(string Ruta, byte[] Cuerpo)> _recibidos = new();
    private readonly Task _bucle;

    public string Url { get; }

    public ColectorOtlp()
    {
        Url = $"http://127.0.0.1:{Servicios.PuertoLibre()}";
        _http.Prefixes.Add(Url + "/");
        _http.Start();
        _bucle = Task.Run(AtenderAsync);
    }

    private async Task AtenderAsync()
    {
        while (_http.IsListening)
        {
            HttpListenerContext ctx;
            try
            {
                ctx = await _http.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }
            using var ms = new MemoryStream();
            await ctx.Request.InputStream.CopyToAsync(ms);
            _recibidos.Enqueue((ctx.Request.Url!.AbsolutePath, ms.ToArray()));
            // An empty Export*ServiceResponse: full success.
            ctx.Response.StatusCode = 200;
            ctx.Response.ContentType = "application/x-protobuf";
            ctx.Response.Close();
        }
    }

    private IEnumerable<byte[]> Cuerpos(string ruta) => _recibidos.Where(r => r.Ruta == ruta).Select(r => r.Cuerpo);

    public List<SpanOtlp> Spans() =>
    [
        // ExportTraceServiceRequest.resource_spans(1) -> ResourceSpans.scope_spans(2) -> ScopeSpans{scope(1).name(1), spans(2)}
        .. from cuerpo in Cuerpos("/v1/traces")
        from rs in Mensajes(cuerpo, 1)
        from ss in Mensajes(rs, 2)
        let ambito = Mensajes(ss, 1).Select(s => Texto(s, 1)).FirstOrDefault() ?? ""
        from span in Mensajes(ss, 2)
        select new SpanOtlp(Hex(span, 1), Hex(span, 2), Hex(span, 4), Texto(span, 5), (int)Entero(span, 6), ambito),
    ];

    /// <summary>Names of the metrics received: ExportMetricsServiceRequest.resource_metrics(1) -> scope_metrics(2) -> metrics(2).name(1).</summary>
    public HashSet<string> Metricas() =>
        Cuerpos("/v1/metrics").SelectMany(c => Mensajes(c, 1)).SelectMany(rm => Mensajes(rm, 2)).SelectMany(sm => Mensajes(sm, 2))
            .Select(m => Texto(m, 1)).ToHashSet();

    /// <summary>service.name of every resource that sent traces: Resource.attributes(1) KeyValue{key(1), value(2).string_value(1)}.</summary>
    public IEnumerable<string> NombresDeServicio() =>
        from cuerpo in Cuerpos("/v1/traces")
        from rs in Mensajes(cuerpo, 1)
        from recurso in Mensajes(rs, 1)
        from atributo in Mensajes(recurso, 1)
        where Texto(atributo, 1) == "service.name"
        select Mensajes(atributo, 2).Select(v => Texto(v, 1)).Single();

    /// <summary>Polls (bounded) until the export batches hold what <paramref name="listo"/> looks for.</summary>
    public async Task<T> EsperarAsync<T>(Func<T?> listo, Func<string> diagnostico) where T : class
    {
        var limite = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (listo() is { } r) return r;
            if (DateTime.UtcNow > limite) Assert.Fail($"No llegó por OTLP lo esperado en 30 s. {diagnostico()}");
            await Task.Delay(200);
        }
    }

    private static IEnumerable<(int Campo, ByteString? Bytes, ulong Valor)> Campos(byte[] mensaje)
    {
        var entrada = new CodedInputStream(mensaje);
        var lista = new List<(int, ByteString?, ulong)>();
        uint tag;
        while ((tag = entrada.ReadTag()) != 0)
        {
            var campo = WireFormat.GetTagFieldNumber(tag);
            switch (WireFormat.GetTagWireType(tag))
            {
                case WireFormat.WireType.LengthDelimited: lista.Add((campo, entrada.ReadBytes(), 0)); break;
                case WireFormat.WireType.Varint: lista.Add((campo, null, entrada.ReadUInt64())); break;
                default: entrada.SkipLastField(); break;
            }
        }
        return lista;
    }

    private static IEnumerable<byte[]> Mensajes(byte[] m, int campo) =>
        Campos(m).Where(c => c.Campo == campo && c.Bytes is not null).Select(c => c.Bytes!.ToByteArray());

    private static string Texto(byte[] m, int campo) => Campos(m).Where(c => c.Campo == campo).Select(c => c.Bytes!.ToStringUtf8()).FirstOrDefault() ?? "";

    private static string Hex(byte[] m, int campo) => Convert.ToHexStringLower(Campos(m).Where(c => c.Campo == campo).Select(c => c.Bytes!.ToByteArray()).FirstOrDefault() ?? []);

    private static ulong Entero(byte[] m, int campo) => Campos(m).Where(c => c.Campo == campo).Select(c => c.Valor).FirstOrDefault();

    public async ValueTask DisposeAsync()
    {
        _http.Stop();
        _http.Close();
        await _bucle;
    }
}
