using DurableTask.AzureStorage;
using DurableTask.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.DurableTask.Testing.Sidecar;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Telecable.LocalHost.Durable;

/// <summary>
/// The durable backend behind the gRPC sidecar (TaskHubGrpcServer from InProcessTestHost, with health pings: <see cref="SidecarConPulso"/>): in memory for
/// tests, or the Azure Storage provider (what Durable Functions uses in production) on Azurite, which
/// keeps orchestrations across a kill -9 of this host.
/// </summary>
public sealed class BackendDurable : IAsyncDisposable
{
    private readonly IHost _sidecar;

    public string Tipo { get; }
    public GrpcChannel Canal { get; }

    private BackendDurable(string tipo, IHost sidecar, GrpcChannel canal)
    {
        Tipo = tipo;
        _sidecar = sidecar;
        Canal = canal;
    }

    /// <param name="instancia">This host's worker name in the task hub's partition table; by default machine and process.</param>
    public static async Task<BackendDurable> IniciarAsync(IConfiguration config, ILoggerFactory logs, CancellationToken ct, TimeSpan? pulso = null,
        string? instancia = null)
    {
        var tipo = config["Durable:Backend"] ?? "AzureStorage";
        var d = Configuracion.DurableHost(config);
        // In memory: limits well above the processor count (see ServicioDelegado). Azure Storage: host.json's.
        var servicio = tipo.Equals("InMemory", StringComparison.OrdinalIgnoreCase)
            ? new ServicioDelegado(new InMemoryOrchestrationService(logs), 100, 100)
            : new ServicioDelegado(await CrearAzureStorageAsync(config, d, logs, instancia ?? $"{Environment.MachineName}:{Environment.ProcessId}"),
                d.MaxOrquestaciones, d.MaxActividades, d.VisibilidadTrabajo, logs.CreateLogger<ServicioDelegado>());

        var puerto = int.TryParse(config["Durable:PuertoSidecar"], out var p) ? p : 0;
        // Content root = the binaries, not the working directory, and no config reload: with the defaults the
        // sidecar watched the current directory recursively (the whole repo with PostgreSQL's data folder
        // when started from its root), burning CPU on every WAL write and thousands of inotify watches.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
        });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(logs);
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, puerto, o => o.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc(o => o.MaxReceiveMessageSize = 16 * 1024 * 1024);
        builder.Services.AddSingleton<IOrchestrationService>(servicio);
        builder.Services.AddSingleton<IOrchestrationServiceClient>(servicio);
        builder.Services.AddSingleton(pulso is { } cada ? new SidecarConPulso.Intervalo(cada) : SidecarConPulso.Intervalo.Omision);
        builder.Services.AddSingleton<SidecarConPulso>();
        var app = builder.Build();
        app.MapGrpcService<SidecarConPulso>();
        await app.StartAsync(ct);

        var direccion = app.Urls.First();
        var canal = GrpcChannel.ForAddress(direccion, new GrpcChannelOptions { MaxReceiveMessageSize = 16 * 1024 * 1024 });
        logs.CreateLogger<BackendDurable>().LogInformation("Backend durable {Backend} escuchando en {Direccion}", tipo, direccion);
        return new BackendDurable(tipo, app, canal);
    }

    private static async Task<IOrchestrationService> CrearAzureStorageAsync(IConfiguration config, OpcionesDurableHost d, ILoggerFactory logs,
        string instancia)
    {
        var cs = config["AzureWebJobsStorage"] ?? "UseDevelopmentStorage=true";
        var settings = new AzureStorageOrchestrationServiceSettings
        {
            TaskHubName = config["DURABLE_TASK_HUB"] ?? "TelecableLocal",
            StorageAccountClientProvider = new StorageAccountClientProvider(cs),
            LoggerFactory = logs,
            // The provider's default is the machine's name: every local host would then own every partition (split brain).
            WorkerId = instancia,
            // host.json's extensions.durableTask (docs/escala.md): the concurrency, partitions, polling and visibility the
            // Functions host would use, so several local hosts on one task hub share work as Azure instances do.
            PartitionCount = d.Particiones,
            MaxQueuePollingInterval = d.MaxPolling,
            ControlQueueVisibilityTimeout = d.VisibilidadControl,
            WorkItemQueueVisibilityTimeout = d.VisibilidadTrabajo,
            MaxConcurrentTaskActivityWorkItems = d.MaxActividades,
            MaxConcurrentTaskOrchestrationWorkItems = d.MaxOrquestaciones,
            // Not host.json settings: short leases so a killed host's partitions move to the others within seconds.
            LeaseInterval = TimeSpan.FromSeconds(5),
            LeaseRenewInterval = TimeSpan.FromSeconds(2),
            LeaseAcquireInterval = TimeSpan.FromSeconds(2),
        };
        logs.CreateLogger<BackendDurable>().LogInformation("Durable (host.json): {Opciones}", d);
        var servicio = new AzureStorageOrchestrationService(settings);
        await servicio.CreateIfNotExistsAsync();
        return servicio;
    }

    public async ValueTask DisposeAsync()
    {
        await _sidecar.StopAsync();
        _sidecar.Dispose();
        Canal.Dispose();
    }
}
