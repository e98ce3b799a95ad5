using System.Collections.Concurrent;
using DurableTask.Core;
using DurableTask.Core.Query;
using Microsoft.Extensions.Logging;

namespace Telecable.LocalHost.Durable;

/// <summary>
/// The durable backend as the sidecar sees it, delegating everything to the real one, with two changes:
/// <list type="bullet">
/// <item>the concurrency limits are ours: InMemoryOrchestrationService caps concurrent work items at the processor count
/// and then sleeps 500 ms (a 1,000-activity fan-out took minutes on 2 cores), and its limits are not virtual;</item>
/// <item>the tags of a started orchestration become a plain dictionary: the sidecar passes a sub-orchestration's tags as
/// the gRPC request's protobuf MapField, which the Azure Storage provider serializes with its type name and then cannot
/// read back ("Could not resolve type Google.Protobuf.Collections.MapField"), so the sub-orchestration never starts.</item>
/// <item>an activity's queue message is renewed while the activity runs, as DurableTask.Core's dispatcher (the Functions
/// host's) does and the sidecar's does not: otherwise a message whose activity outlives the work-item visibility timeout
/// comes back mid-run, is dequeued again and, its pop receipt gone, runs twice.</item>
/// </list>
/// </summary>
internal sealed class ServicioDelegado(IOrchestrationService s, int maxOrquestaciones, int maxActividades, TimeSpan? visibilidad = null,
    ILogger? log = null)
    : IOrchestrationService, IOrchestrationServiceClient, IOrchestrationServiceQueryClient, IOrchestrationServicePurgeClient
{
    private sealed record Renovacion(CancellationTokenSource Fin, Task Ciclo);
    private readonly ConcurrentDictionary<string, Renovacion> _renovaciones = new();

    private IOrchestrationServiceClient C => (IOrchestrationServiceClient)s;
    private IOrchestrationServiceQueryClient Q => (IOrchestrationServiceQueryClient)s;
    private IOrchestrationServicePurgeClient P => (IOrchestrationServicePurgeClient)s;

    public int MaxConcurrentTaskOrchestrationWorkItems => maxOrquestaciones;
    public int MaxConcurrentTaskActivityWorkItems => maxActividades;

    private static TaskMessage Limpiar(TaskMessage m)
    {
        if (m?.Event is DurableTask.Core.History.ExecutionStartedEvent e && e.Tags is not null && e.Tags is not Dictionary<string, string>)
            e.Tags = new Dictionary<string, string>(e.Tags);
        return m!;
    }

    /// <summary>The same for the history the orchestration writes: its SubOrchestrationInstanceCreated events carry the tags too,
    /// and a history row the provider cannot read back stops the parent for good.</summary>
    private static OrchestrationRuntimeState Limpiar(OrchestrationRuntimeState st)
    {
        foreach (var h in st?.NewEvents ?? [])
        {
            if (h is DurableTask.Core.History.SubOrchestrationInstanceCreatedEvent c && c.Tags is not null && c.Tags is not Dictionary<string, string>)
                c.Tags = new Dictionary<string, string>(c.Tags);
            else if (h is DurableTask.Core.History.ExecutionStartedEvent e && e.Tags is not null && e.Tags is not Dictionary<string, string>)
                e.Tags = new Dictionary<string, string>(e.Tags);
        }
        return st!;
    }

    private static IList<TaskMessage> Limpiar(IList<TaskMessage> ms)
    {
        if (ms is null) return ms!;
        foreach (var m in ms) Limpiar(m);
        return ms;
    }

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
        s.CompleteTaskOrchestrationWorkItemAsync(w, Limpiar(st), outbound, Limpiar(orchestratorMessages), timerMessages, continuedAsNew is null ? null : Limpiar(continuedAsNew), state);
    public Task AbandonTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem w) => s.AbandonTaskOrchestrationWorkItemAsync(w);
    public Task ReleaseTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem w) => s.ReleaseTaskOrchestrationWorkItemAsync(w);
    public async Task<TaskActivityWorkItem> LockNextTaskActivityWorkItem(TimeSpan t, CancellationToken ct)
    {
        var w = await s.LockNextTaskActivityWorkItem(t, ct);
        if (w is not null && visibilidad is { } v) Renovar(w, v);
        return w!;
    }

    public Task<TaskActivityWorkItem> RenewTaskActivityWorkItemLockAsync(TaskActivityWorkItem w) => s.RenewTaskActivityWorkItemLockAsync(w);

    public async Task CompleteTaskActivityWorkItemAsync(TaskActivityWorkItem w, TaskMessage m)
    {
        await DejarDeRenovarAsync(w);
        await s.CompleteTaskActivityWorkItemAsync(w, m);
    }

    public async Task AbandonTaskActivityWorkItemAsync(TaskActivityWorkItem w)
    {
        await DejarDeRenovarAsync(w);
        await s.AbandonTaskActivityWorkItemAsync(w);
    }

    /// <summary>Renews every third of the visibility timeout, so two renewals may fail before the message shows again.</summary>
    private void Renovar(TaskActivityWorkItem w, TimeSpan visibilidad)
    {
        var fin = new CancellationTokenSource();
        _renovaciones[w.Id] = new Renovacion(fin, Task.Run(async () =>
        {
            using var reloj = new PeriodicTimer(visibilidad / 3);
            try
            {
                while (await reloj.WaitForNextTickAsync(fin.Token))
                {
                    try
                    {
                        await s.RenewTaskActivityWorkItemLockAsync(w);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        log?.LogWarning(e, "No se pudo renovar el mensaje de la actividad {WorkItem}", w.Id);
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // Completed or abandoned.
            }
        }, CancellationToken.None));
    }

    /// <summary>Stops the renewals and waits for one in progress: a renewal changes the message's pop receipt, which the
    /// completion's delete needs.</summary>
    private async Task DejarDeRenovarAsync(TaskActivityWorkItem w)
    {
        if (!_renovaciones.TryRemove(w.Id, out var r)) return;
        await r.Fin.CancelAsync();
        await r.Ciclo;
        r.Fin.Dispose();
    }

    public Task CreateTaskOrchestrationAsync(TaskMessage m) => C.CreateTaskOrchestrationAsync(Limpiar(m));
    public Task CreateTaskOrchestrationAsync(TaskMessage m, OrchestrationStatus[] dedupe) => C.CreateTaskOrchestrationAsync(Limpiar(m), dedupe);
    public Task SendTaskOrchestrationMessageAsync(TaskMessage m) => C.SendTaskOrchestrationMessageAsync(m);
    public Task SendTaskOrchestrationMessageBatchAsync(params TaskMessage[] m) => C.SendTaskOrchestrationMessageBatchAsync(m);
    public Task<OrchestrationState> WaitForOrchestrationAsync(string id, string exec, TimeSpan t, CancellationToken ct) => C.WaitForOrchestrationAsync(id, exec, t, ct);
    public Task ForceTerminateTaskOrchestrationAsync(string id, string reason) => C.ForceTerminateTaskOrchestrationAsync(id, reason);
    public Task<IList<OrchestrationState>> GetOrchestrationStateAsync(string id, bool all) => C.GetOrchestrationStateAsync(id, all);
    public Task<OrchestrationState> GetOrchestrationStateAsync(string id, string exec) => C.GetOrchestrationStateAsync(id, exec);
    public Task<string> GetOrchestrationHistoryAsync(string id, string exec) => C.GetOrchestrationHistoryAsync(id, exec);
    public Task PurgeOrchestrationHistoryAsync(DateTime threshold, OrchestrationStateTimeRangeFilterType type) => C.PurgeOrchestrationHistoryAsync(threshold, type);
    public Task<OrchestrationQueryResult> GetOrchestrationWithQueryAsync(OrchestrationQuery q, CancellationToken ct) => Q.GetOrchestrationWithQueryAsync(q, ct);
    public Task<PurgeResult> PurgeInstanceStateAsync(string id) => P.PurgeInstanceStateAsync(id);
    public Task<PurgeResult> PurgeInstanceStateAsync(PurgeInstanceFilter f) => P.PurgeInstanceStateAsync(f);
}
