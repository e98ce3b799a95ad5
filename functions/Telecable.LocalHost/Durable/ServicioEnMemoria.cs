using DurableTask.Core;
using DurableTask.Core.Query;
using Microsoft.DurableTask.Testing.Sidecar;

namespace Telecable.LocalHost.Durable;

/// <summary>
/// The in-memory backend with its concurrency limits raised. InMemoryOrchestrationService caps
/// concurrent work items at the processor count and then sleeps 500 ms, which makes a 1,000-activity
/// fan-out take minutes on 2 cores; its limits are not virtual, so this delegates everything else.
/// </summary>
internal sealed class ServicioEnMemoria(InMemoryOrchestrationService s)
    : IOrchestrationService, IOrchestrationServiceClient, IOrchestrationServiceQueryClient, IOrchestrationServicePurgeClient
{
    public int MaxConcurrentTaskOrchestrationWorkItems => 100;
    public int MaxConcurrentTaskActivityWorkItems => 100;

    public int TaskOrchestrationDispatcherCount => s.TaskOrchestrationDispatcherCount;
    public int TaskActivityDispatcherCount => s.TaskActivityDispatcherCount;
    public BehaviorOnContinueAsNew EventBehaviourForContinueAsNew => s.EventBehaviourForContinueAsNew;
    public Task StartAsync() => s.StartAsync();
    public Task StopAsync() => s.StopAsync();
    public Task StopAsync(bool isForced) => s.StopAsync(isForced);
    public Task CreateAsync() => s.CreateAsync();
    public Task CreateAsync(bool recreateInstanceStore) => s.CreateAsync(recreateInstanceStore);
    public Task CreateIfNotExistsAsync() => s.CreateIfNotExistsAsync();
    public Task DeleteAsync() => s.DeleteAsync();
    public Task DeleteAsync(bool deleteInstanceStore) => s.DeleteAsync(deleteInstanceStore);
    public bool IsMaxMessageCountExceeded(int currentMessageCount, OrchestrationRuntimeState runtimeState) => s.IsMaxMessageCountExceeded(currentMessageCount, runtimeState);
    public int GetDelayInSecondsAfterOnProcessException(Exception exception) => s.GetDelayInSecondsAfterOnProcessException(exception);
    public int GetDelayInSecondsAfterOnFetchException(Exception exception) => s.GetDelayInSecondsAfterOnFetchException(exception);
    public Task<TaskOrchestrationWorkItem> LockNextTaskOrchestrationWorkItemAsync(TimeSpan t, CancellationToken ct) => s.LockNextTaskOrchestrationWorkItemAsync(t, ct);
    public Task RenewTaskOrchestrationWorkItemLockAsync(TaskOrchestrationWorkItem w) => s.RenewTaskOrchestrationWorkItemLockAsync(w);
    public Task CompleteTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem w, OrchestrationRuntimeState st, IList<TaskMessage> outbound,
        IList<TaskMessage> orchestratorMessages, IList<TaskMessage> timerMessages, TaskMessage continuedAsNew, OrchestrationState state) =>
        s.CompleteTaskOrchestrationWorkItemAsync(w, st, outbound, orchestratorMessages, timerMessages, continuedAsNew, state);
    public Task AbandonTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem w) => s.AbandonTaskOrchestrationWorkItemAsync(w);
    public Task ReleaseTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem w) => s.ReleaseTaskOrchestrationWorkItemAsync(w);
    public Task<TaskActivityWorkItem> LockNextTaskActivityWorkItem(TimeSpan t, CancellationToken ct) => s.LockNextTaskActivityWorkItem(t, ct);
    public Task<TaskActivityWorkItem> RenewTaskActivityWorkItemLockAsync(TaskActivityWorkItem w) => s.RenewTaskActivityWorkItemLockAsync(w);
    public Task CompleteTaskActivityWorkItemAsync(TaskActivityWorkItem w, TaskMessage m) => s.CompleteTaskActivityWorkItemAsync(w, m);
    public Task AbandonTaskActivityWorkItemAsync(TaskActivityWorkItem w) => s.AbandonTaskActivityWorkItemAsync(w);

    public Task CreateTaskOrchestrationAsync(TaskMessage m) => s.CreateTaskOrchestrationAsync(m);
    public Task CreateTaskOrchestrationAsync(TaskMessage m, OrchestrationStatus[] dedupe) => s.CreateTaskOrchestrationAsync(m, dedupe);
    public Task SendTaskOrchestrationMessageAsync(TaskMessage m) => s.SendTaskOrchestrationMessageAsync(m);
    public Task SendTaskOrchestrationMessageBatchAsync(params TaskMessage[] m) => s.SendTaskOrchestrationMessageBatchAsync(m);
    public Task<OrchestrationState> WaitForOrchestrationAsync(string id, string exec, TimeSpan t, CancellationToken ct) => s.WaitForOrchestrationAsync(id, exec, t, ct);
    public Task ForceTerminateTaskOrchestrationAsync(string id, string reason) => s.ForceTerminateTaskOrchestrationAsync(id, reason);
    public Task<IList<OrchestrationState>> GetOrchestrationStateAsync(string id, bool all) => s.GetOrchestrationStateAsync(id, all);
    public Task<OrchestrationState> GetOrchestrationStateAsync(string id, string exec) => s.GetOrchestrationStateAsync(id, exec);
    public Task<string> GetOrchestrationHistoryAsync(string id, string exec) => s.GetOrchestrationHistoryAsync(id, exec);
    public Task PurgeOrchestrationHistoryAsync(DateTime threshold, OrchestrationStateTimeRangeFilterType type) => s.PurgeOrchestrationHistoryAsync(threshold, type);
    public Task<OrchestrationQueryResult> GetOrchestrationWithQueryAsync(OrchestrationQuery q, CancellationToken ct) => s.GetOrchestrationWithQueryAsync(q, ct);
    public Task<PurgeResult> PurgeInstanceStateAsync(string id) => s.PurgeInstanceStateAsync(id);
    public Task<PurgeResult> PurgeInstanceStateAsync(PurgeInstanceFilter f) => s.PurgeInstanceStateAsync(f);
}
