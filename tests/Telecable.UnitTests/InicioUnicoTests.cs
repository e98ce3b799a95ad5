using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Telecable.Functions.Sagas;
using Telecable.LocalHost.Durable;

namespace Telecable.UnitTests;

/// <summary>
/// "Start once" is decided by the backend, not by a read before the write: a payment's HTTP call and the 1 s timer that
/// starts confirmed payments may both find no instance and both schedule it, and the in-memory backend then appended a
/// second ExecutionStarted to the running saga, which stalled it (DescargaComplementoTests failed intermittently).
/// </summary>
public sealed class InicioUnicoTests
{
    [Fact]
    public async Task Veinte_llamadas_a_la_vez_inician_una_sola_instancia_que_termina()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Durable:Backend"] = "InMemory" }).Build();
        await using var backend = await BackendDurable.IniciarAsync(config, NullLoggerFactory.Instance, CancellationToken.None);
        var hb = Host.CreateApplicationBuilder();
        hb.Services.AddDurableTaskWorker(b =>
        {
            b.UseGrpc(backend.Canal);
            b.AddTasks(r => r.AddOrchestratorFunc("Espera", async (TaskOrchestrationContext c, string x) =>
            {
                await c.CreateTimer(TimeSpan.FromMilliseconds(500), CancellationToken.None);
                return x;
            }));
        });
        hb.Services.AddDurableTaskClient(b => b.UseGrpc(backend.Canal));
        using var host = hb.Build();
        await host.StartAsync();
        var durable = host.Services.GetRequiredService<DurableTaskClient>();

        var iniciadas = await Task.WhenAll(Enumerable.Range(0, 20)
            .Select(_ => Task.Run(() => durable.IniciarUnaVezAsync("Espera", "hola", "una-vez", CancellationToken.None))));

        Assert.Equal(1, iniciadas.Count(i => i));
        using var limite = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var fin = await durable.WaitForInstanceCompletionAsync("una-vez", true, limite.Token);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, fin.RuntimeStatus);
        Assert.Equal("\"hola\"", fin.SerializedOutput);
        await host.StopAsync();
    }
}
