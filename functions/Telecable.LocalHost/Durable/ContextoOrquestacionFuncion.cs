using System.Text.Json;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Entities;
using Microsoft.Extensions.Logging;

namespace Telecable.LocalHost.Durable;

/// <summary>
/// Under a generic Durable Task worker an orchestrator's input arrives untyped (a JsonElement). The
/// Functions extension re-deserializes it for GetInput&lt;T&gt;(); this wrapper does the same and
/// forwards everything else to the real context, so orchestrator code behaves as under the real host.
/// </summary>
internal sealed class ContextoOrquestacionFuncion(TaskOrchestrationContext interno, object? entrada) : TaskOrchestrationContext
{
    public override TaskName Name => interno.Name;
    public override string InstanceId => interno.InstanceId;
    public override ParentOrchestrationInstance? Parent => interno.Parent;
    public override DateTime CurrentUtcDateTime => interno.CurrentUtcDateTime;
    public override bool IsReplaying => interno.IsReplaying;
    public override string Version => interno.Version;
    public override IReadOnlyDictionary<string, object?> Properties => interno.Properties;
    public override TaskOrchestrationEntityFeature Entities => interno.Entities;
    protected override ILoggerFactory LoggerFactory => interno.ReplaySafeLoggerFactory;

    public override T? GetInput<T>() where T : default => entrada switch
    {
        null => default,
        T t => t,
        JsonElement e => e.Deserialize<T>(),
        _ => JsonSerializer.Deserialize<T>(JsonSerializer.Serialize(entrada)),
    };

    public override Task<TResult> CallActivityAsync<TResult>(TaskName name, object? input = null, TaskOptions? options = null) =>
        interno.CallActivityAsync<TResult>(name, input, options);

    public override Task CreateTimer(DateTime fireAt, CancellationToken cancellationToken) => interno.CreateTimer(fireAt, cancellationToken);

    public override Task<T> WaitForExternalEvent<T>(string eventName, CancellationToken cancellationToken = default) =>
        interno.WaitForExternalEvent<T>(eventName, cancellationToken);

    public override void SendEvent(string instanceId, string eventName, object payload) => interno.SendEvent(instanceId, eventName, payload);

    public override void SetCustomStatus(object? customStatus) => interno.SetCustomStatus(customStatus);

    public override Task<TResult> CallSubOrchestratorAsync<TResult>(TaskName orchestratorName, object? input = null, TaskOptions? options = null) =>
        interno.CallSubOrchestratorAsync<TResult>(orchestratorName, input, options);

    public override void ContinueAsNew(object? newInput = null, bool preserveUnprocessedEvents = true) =>
        interno.ContinueAsNew(newInput, preserveUnprocessedEvents);

    public override Guid NewGuid() => interno.NewGuid();
}
