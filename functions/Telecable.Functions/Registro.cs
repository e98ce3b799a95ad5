using Azure.Core;
using Azure.Identity;
using Azure.Messaging.ServiceBus;
using Azure.Monitor.OpenTelemetry.Exporter;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Telecable.Application.Observabilidad;
using Telecable.Functions.Http;
using Telecable.Infrastructure.Almacen;
using Telecable.Infrastructure.Datos;
using Telecable.Infrastructure.Idempotencia;
using Telecable.Infrastructure.Observabilidad;
using Telecable.Infrastructure.Outbox;
using Telecable.Infrastructure.Seguridad;

namespace Telecable.Functions;

/// <summary>
/// Everything the functions need, registered once: Program.cs (the real Functions host) and the
/// local host both call this, so the two run the same services.
/// </summary>
public static partial class Registro
{
    public static IServiceCollection AgregarTelecable(this IServiceCollection s, IConfiguration config)
    {
        s.TryAddSingleton(TimeProvider.System);

        s.AddOptions<OpcionesPostgres>().BindConfiguration(OpcionesPostgres.Seccion);
        s.AddOptions<OpcionesBlob>().BindConfiguration(OpcionesBlob.Seccion);
        s.AddOptions<OpcionesAuth>().BindConfiguration(OpcionesAuth.Seccion);
        s.AddSingleton(sp => sp.GetRequiredService<IOptions<OpcionesBlob>>().Value);
        s.AddSingleton(sp => sp.GetRequiredService<IOptions<OpcionesAuth>>().Value);

        // One credential for every Azure client: in Azure, DefaultAzureCredential picks the user-assigned identity
        // named by AZURE_CLIENT_ID. TryAdd, so tests can put a mocked TokenCredential first.
        s.TryAddSingleton<TokenCredential>(_ => new DefaultAzureCredential());
        s.AddSingleton(sp => FuentesPostgres.Crear(sp.GetRequiredService<IOptions<OpcionesPostgres>>().Value, CredencialSiEntraId(sp),
            sp.GetRequiredService<TimeProvider>(),
            // Statements run thousands of times a minute (webhooks, router posts): let Npgsql prepare the
            // hot ones once per connection instead of PostgreSQL parsing and planning them every time.
            b => { if (b.MaxAutoPrepare == 0) b.MaxAutoPrepare = 50; }));
        s.AddSingleton<Migrador>();
        s.AddSingleton<AlmacenIdempotencia>();
        s.AddSingleton<IAlmacenIdempotencia>(sp => sp.GetRequiredService<AlmacenIdempotencia>());
        s.AddSingleton<RelayOutbox>();
        s.AddSingleton(sp => CrearPublicador(sp, config));

        s.AddSingleton(sp =>
        {
            var op = sp.GetRequiredService<OpcionesBlob>();
            if (!string.IsNullOrWhiteSpace(op.ConnectionString)) return new BlobServiceClient(op.ConnectionString);
            if (!string.IsNullOrWhiteSpace(op.ServiceUri)) return new BlobServiceClient(new Uri(op.ServiceUri), new DefaultAzureCredential());
            throw new InvalidOperationException("Falta Blob:ConnectionString (Azurite) o Blob:ServiceUri (Azure).");
        });
        s.AddSingleton<AlmacenBlobs>();

        s.AddSingleton<ValidadorTokens>();
        s.AddSingleton<EmisorDesarrollo>();
        s.AddSingleton<Api>();
        s.AddSingleton<MetricasPrometheus>();
        s.AddHostedService<MigracionAlIniciar>();
        s.AddSingleton<DireccionCliente>();
        s.AddSingleton<LimitadorSolicitudes>();
        // Nothing is injected in the app; the local host replaces it for tests (Pruebas:InyectarFallas).
        s.TryAddSingleton<Telecable.Application.Comun.IInyectorFallas>(Telecable.Application.Comun.SinFallas.Instancia);

        // One registration method per area, each in its own file under Registro/.
        s.AgregarCatalogoYClientes(config);
        s.AgregarFacturacion(config);
        s.AgregarPagos(config);
        s.AgregarAltasYTickets(config);
        s.AgregarRouters(config);
        s.AgregarOperaciones(config);
        s.AgregarCuentas(config);

        AgregarTelemetria(s, config);
        return s;
    }

    /// <summary>The credential only where PostgreSQL authenticates with Entra ID: locally none is created.</summary>
    internal static TokenCredential? CredencialSiEntraId(IServiceProvider sp) =>
        sp.GetRequiredService<IOptions<OpcionesPostgres>>().Value.Autenticacion == AutenticacionPostgres.EntraId
            ? sp.GetRequiredService<TokenCredential>() : null;

    private static IPublicadorEventos CrearPublicador(IServiceProvider sp, IConfiguration config)
    {
        var fqns = config["ServiceBus:FullyQualifiedNamespace"];
        var cs = config["ServiceBus:ConnectionString"];
        var topico = config["ServiceBus:Topic"] ?? "eventos-dominio";
        if (!string.IsNullOrWhiteSpace(cs)) return new PublicadorServiceBus(new ServiceBusClient(cs).CreateSender(topico));
        if (!string.IsNullOrWhiteSpace(fqns)) return new PublicadorServiceBus(new ServiceBusClient(fqns, new DefaultAzureCredential()).CreateSender(topico));
        return new PublicadorJsonl(config["Outbox:JsonlPath"] ?? Path.Combine(".data", "eventos.jsonl"));
    }

    /// <summary>
    /// Traces and metrics. OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set: the exporter reads the standard
    /// OTEL_EXPORTER_OTLP_* settings itself (protocol grpc or http/protobuf, headers), so an http/protobuf
    /// endpoint gets its /v1/traces and /v1/metrics paths. Application Insights only where
    /// APPLICATIONINSIGHTS_CONNECTION_STRING is set (Azure), authenticated with the managed identity
    /// named by APPLICATIONINSIGHTS_AUTHENTICATION_STRING (local auth is off on the component).
    /// </summary>
    public static void AgregarTelemetria(IServiceCollection s, IConfiguration config)
    {
        var otlp = !string.IsNullOrWhiteSpace(config["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var otel = s.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(Telemetria.Servicio))
            .WithTracing(t =>
            {
                t.AddSource(Telemetria.Nombre, "Npgsql", "Microsoft.DurableTask", "Azure.*")
                    .AddHttpClientInstrumentation(o => o.FilterHttpRequestMessage = Telemetria.TrazarLlamadaHttp);
                if (otlp) t.AddOtlpExporter();
            })
            .WithMetrics(m =>
            {
                m.AddMeter(Telemetria.Nombre);
                if (otlp) m.AddOtlpExporter();
            });

        var appInsights = config["APPLICATIONINSIGHTS_CONNECTION_STRING"];
        if (string.IsNullOrWhiteSpace(appInsights)) return;
        var clientId = IdentidadAppInsights(config["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]);
        otel.UseAzureMonitorExporter(o =>
        {
            o.ConnectionString = appInsights;
            if (clientId is not null) o.Credential = new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId));
        });
    }

    /// <summary>The client id in "ClientId=&lt;id&gt;;Authorization=AAD" (the Functions host's own format), if any.</summary>
    public static string? IdentidadAppInsights(string? autenticacion) =>
        (autenticacion ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2))
            .FirstOrDefault(p => p.Length == 2 && p[0].Equals("ClientId", StringComparison.OrdinalIgnoreCase))?[1];
}
