using Azure.Identity;
using Azure.Messaging.ServiceBus;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
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

        s.AddSingleton(sp =>
        {
            var cs = sp.GetRequiredService<IOptions<OpcionesPostgres>>().Value.ConnectionString;
            if (string.IsNullOrWhiteSpace(cs)) throw new InvalidOperationException("Falta Postgres:ConnectionString.");
            // Statements run thousands of times a minute (webhooks, router posts): let Npgsql prepare the
            // hot ones once per connection instead of PostgreSQL parsing and planning them every time.
            var b = new NpgsqlConnectionStringBuilder(cs);
            if (b.MaxAutoPrepare == 0) b.MaxAutoPrepare = 50;
            return new NpgsqlDataSourceBuilder(b.ConnectionString).Build();
        });
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
        s.AddSingleton<LimitadorSolicitudes>();

        // One registration method per area, each in its own file under Registro/.
        s.AgregarCatalogoYClientes(config);
        s.AgregarFacturacion(config);
        s.AgregarPagos(config);
        s.AgregarAltasYTickets(config);
        s.AgregarRouters(config);

        AgregarTelemetria(s, config);
        return s;
    }

    private static IPublicadorEventos CrearPublicador(IServiceProvider sp, IConfiguration config)
    {
        var fqns = config["ServiceBus:FullyQualifiedNamespace"];
        var cs = config["ServiceBus:ConnectionString"];
        var topico = config["ServiceBus:Topic"] ?? "eventos-dominio";
        if (!string.IsNullOrWhiteSpace(cs)) return new PublicadorServiceBus(new ServiceBusClient(cs).CreateSender(topico));
        if (!string.IsNullOrWhiteSpace(fqns)) return new PublicadorServiceBus(new ServiceBusClient(fqns, new DefaultAzureCredential()).CreateSender(topico));
        return new PublicadorJsonl(config["Outbox:JsonlPath"] ?? Path.Combine(".data", "eventos.jsonl"));
    }

    private static void AgregarTelemetria(IServiceCollection s, IConfiguration config)
    {
        var otlp = config["OTEL_EXPORTER_OTLP_ENDPOINT"];
        s.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(Telemetria.Servicio))
            .WithTracing(t =>
            {
                t.AddSource(Telemetria.Nombre, "Npgsql", "Microsoft.DurableTask", "Azure.*")
                    .AddHttpClientInstrumentation();
                if (!string.IsNullOrWhiteSpace(otlp)) t.AddOtlpExporter(o => o.Endpoint = new Uri(otlp));
            })
            .WithMetrics(m =>
            {
                m.AddMeter(Telemetria.Nombre);
                if (!string.IsNullOrWhiteSpace(otlp)) m.AddOtlpExporter((OtlpExporterOptions o) => o.Endpoint = new Uri(otlp));
            });
    }
}
