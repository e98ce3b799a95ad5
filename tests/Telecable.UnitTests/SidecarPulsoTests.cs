using Grpc.Net.Client;
using Microsoft.DurableTask.Protobuf;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Telecable.LocalHost.Durable;

namespace Telecable.UnitTests;

/// <summary>
/// The local durable sidecar keeps its work-item stream alive with health pings, as the Durable Task scheduler does: the
/// worker calls a stream with no message for 120 s "silently disconnected" and reopens it, and a work item dispatched at
/// that moment was lost by the in-memory backend (orchestrations stuck in Running).
/// </summary>
public sealed class SidecarPulsoTests
{
    [Fact]
    public async Task El_sidecar_envia_un_health_ping_por_el_stream_de_trabajo_aunque_no_haya_trabajo()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Durable:Backend"] = "InMemory" }).Build();
        await using var backend = await BackendDurable.IniciarAsync(config, NullLoggerFactory.Instance, CancellationToken.None, pulso: TimeSpan.FromMilliseconds(200));
        var cliente = new TaskHubSidecarService.TaskHubSidecarServiceClient(backend.Canal);
        using var limite = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var stream = cliente.GetWorkItems(new GetWorkItemsRequest(), cancellationToken: limite.Token);

        var recibidos = new List<WorkItem.RequestOneofCase>();
        while (recibidos.Count < 2 && await stream.ResponseStream.MoveNext(limite.Token))
            recibidos.Add(stream.ResponseStream.Current.RequestCase);

        Assert.Equal([WorkItem.RequestOneofCase.HealthPing, WorkItem.RequestOneofCase.HealthPing], recibidos);
    }
}
