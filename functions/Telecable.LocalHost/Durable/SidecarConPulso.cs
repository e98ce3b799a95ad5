using DurableTask.Core;
using Grpc.Core;
using Microsoft.DurableTask.Protobuf;
using Microsoft.DurableTask.Testing.Sidecar;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Telecable.LocalHost.Durable;

/// <summary>
/// The test host's gRPC sidecar plus the health pings the Durable Task scheduler sends. Without them an idle worker calls
/// its work-item stream "silently disconnected" after 120 s and reopens it, and a work item the in-memory backend hands
/// out at that moment is lost (orchestrations stuck in Running). Pinging is the server's side of the worker's public
/// contract, so the worker keeps its default and no internal API is needed.
/// </summary>
public sealed class SidecarConPulso(
    IHostApplicationLifetime vida, ILoggerFactory logs, IOrchestrationService servicio, IOrchestrationServiceClient cliente,
    IOptions<TaskHubGrpcServerOptions> opciones, SidecarConPulso.Intervalo intervalo)
    : TaskHubGrpcServer(vida, logs, servicio, cliente, opciones)
{
    /// <summary>A quarter of the worker's 120 s silent-disconnect window: three pings may be late before it gives up.</summary>
    public sealed record Intervalo(TimeSpan Valor)
    {
        public static readonly Intervalo Omision = new(TimeSpan.FromSeconds(30));
    }

    private static readonly WorkItem Ping = new() { HealthPing = new HealthPing() };

    public override async Task GetWorkItems(GetWorkItemsRequest request, IServerStreamWriter<WorkItem> responseStream, ServerCallContext context)
    {
        var escritor = new EscritorSerializado(responseStream);
        using var fin = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        var latidos = LatirAsync(escritor, fin.Token);
        try
        {
            await base.GetWorkItems(request, escritor, context);
        }
        finally
        {
            await fin.CancelAsync();
            await latidos;
        }
    }

    private async Task LatirAsync(EscritorSerializado escritor, CancellationToken ct)
    {
        using var reloj = new PeriodicTimer(intervalo.Valor);
        try
        {
            // The first ping at once: the worker's timer is armed before the first message too.
            do await escritor.WriteAsync(Ping);
            while (await reloj.WaitForNextTickAsync(ct));
        }
        catch (Exception e) when (e is OperationCanceledException or InvalidOperationException or IOException or RpcException)
        {
            // The stream ended (worker gone or host stopping): nothing left to keep alive.
        }
    }

    /// <summary>gRPC allows one write at a time on a stream; work items and pings now share it.</summary>
    private sealed class EscritorSerializado(IServerStreamWriter<WorkItem> interno) : IServerStreamWriter<WorkItem>
    {
        private readonly SemaphoreSlim _turno = new(1, 1);

        public WriteOptions? WriteOptions
        {
            get => interno.WriteOptions;
            set => interno.WriteOptions = value;
        }

        public async Task WriteAsync(WorkItem message)
        {
            await _turno.WaitAsync();
            try
            {
                await interno.WriteAsync(message);
            }
            finally
            {
                _turno.Release();
            }
        }
    }
}
