using System.Text.Json.Nodes;
using FlowMesh.Abstractions;
using FlowMesh.Engine.Results;
using FlowMesh.Runtime.Hosting;
using FlowMesh.Runtime.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Placement;

namespace FlowMesh.Runtime.Grains;

/// <summary>
/// One workflow. Its durable state is its plan (written once) and its event log: an activation replays the log to
/// rebuild every task's state, then re-syncs the tasks that were queued or running (their grains may have moved).
/// Reentrant: each call changes state without awaiting, then awaits the shared log flush, so many task reports
/// commit in one write; a call is answered only after what it changed is durable.
/// </summary>
[RandomPlacement]
[Reentrant]
internal sealed partial class WorkflowGrain(
    [PersistentState("workflow", RuntimeNames.Storage)] IPersistentState<WorkflowRecord> record,
    IWorkflowEventStore events,
    IOptions<RuntimeOptions> options,
    ActiveWorkflows active,
    TimeProvider time,
    ILogger<WorkflowGrain> logger) : Grain, IWorkflowGrain, IRemindable
{
    private const string KeepAlive = "keepalive";
    private WorkflowLog _log = null!;
    private TaskView[] _tasks = [];
    private Dictionary<string, int> _byName = new(StringComparer.Ordinal);
    private WorkflowState _state = WorkflowState.Pending;
    private string? _error;
    private int _terminal;
    private bool? _reminderHeld;

    private string Id => this.GetPrimaryKeyString();

    private WorkflowPlan? Plan => record.State.Plan;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _log = new WorkflowLog(Id, events, time)
        {
            Stream = this.GetStreamProvider(FlowMeshStreams.Provider).GetStream<WorkflowEvent>(Orleans.Runtime.StreamId.Create(FlowMeshStreams.WorkflowEvents, Id)),
            PublishFailed = ex => LogPublishFailed(logger, Id, ex),
        };
        active.Add(Id);
        if (Plan is null)
        {
            return;
        }

        Build(Plan);
        await ReplayAsync(cancellationToken);
        if (!StateMachines.Workflow.IsTerminal(_state))
        {
            // Not inside activation: a task grain that answers the sync may call back into this grain.
            this.RegisterGrainTimer(ct => ReconcileAsync(ct), new GrainTimerCreationOptions(TimeSpan.Zero, Timeout.InfiniteTimeSpan) { Interleave = true });
        }
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        active.Remove(Id);
        return base.OnDeactivateAsync(reason, cancellationToken);
    }

    public async Task<WorkflowSnapshot> SubmitAsync(WorkflowPlan plan)
    {
        if (Plan is not null)
        {
            return Snapshot();
        }

        record.State.Plan = plan;
        record.State.SubmittedAt = time.GetUtcNow();
        Build(plan);
        await record.WriteStateAsync();
        _log.Append(EventKinds.WorkflowSubmitted, null, new JsonObject { ["name"] = plan.Name, ["tasks"] = plan.Tasks.Length, ["source"] = plan.SourceFile, ["traceparent"] = plan.TraceParent });
        MoveWorkflow(WorkflowState.Running, null);
        var ready = new List<TaskView>();
        foreach (var t in _tasks.Where(t => t.PendingDeps == 0))
        {
            OnDependenciesDone(t, ready);
        }

        CheckDone();
        await _log.FlushAsync();
        await KeepAliveAsync();
        await SendReadyAsync(ready);
        return Snapshot();
    }

    public Task<WorkflowSnapshot?> GetAsync() => Task.FromResult(Plan is null ? null : Snapshot());

    public async Task<WorkflowState> CancelAsync(string reason)
    {
        if (Plan is null || StateMachines.Workflow.IsTerminal(_state))
        {
            return _state;
        }

        var stop = new List<TaskView>();
        foreach (var t in _tasks.Where(t => !t.IsTerminal))
        {
            if (t.State is TaskState.Ready or TaskState.Running)
            {
                stop.Add(t);
            }

            t.Error = reason;
            Finish(t, TaskState.Cancelled, null, null);
        }

        CheckDone();
        await _log.FlushAsync();
        await Task.WhenAll(stop.Select(t => TaskGrain(t).CancelAsync(reason)));
        await KeepAliveAsync();
        return _state;
    }

    public async Task<WorkflowEvent[]> ReadEventsAsync(long afterSeq, int max)
    {
        var page = await events.ReadAsync(Id, afterSeq, Math.Clamp(max, 1, 10_000), CancellationToken.None);
        return [.. page];
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        // The catch-all after a silo died: this activation may be fresh (replayed) or old (its tasks' grains were not).
        await ReconcileAsync();
        await KeepAliveAsync();
    }

    private void Build(WorkflowPlan plan)
    {
        _tasks = [.. plan.Tasks.Select((t, i) => new TaskView(i, t))];
        _byName = _tasks.ToDictionary(t => t.Plan.Name, t => t.Index, StringComparer.Ordinal);
        foreach (var t in _tasks)
        {
            t.PendingDeps = t.Plan.Deps.Length;
            foreach (var d in t.Plan.Deps)
            {
                _tasks[d].Dependents.Add(t.Index);
            }
        }
    }

    /// <summary>Holds the keep-alive reminder while the workflow runs, drops it once it ended (asks the reminder table once per activation).</summary>
    private async Task KeepAliveAsync()
    {
        var wanted = !StateMachines.Workflow.IsTerminal(_state);
        if (_reminderHeld == wanted)
        {
            return;
        }

        var reminder = await this.GetReminder(KeepAlive);
        if (!wanted && reminder is not null)
        {
            await this.UnregisterReminder(reminder);
        }
        else if (wanted && reminder is null)
        {
            var period = options.Value.KeepAlivePeriod;
            await this.RegisterOrUpdateReminder(KeepAlive, period, period);
        }

        _reminderHeld = wanted;
    }

    private WorkflowSnapshot Snapshot() =>
        new(Id, Plan!.Name, Plan.Tenant, _state, _error, _log.DurableSeq, [.. _tasks.Select(t => t.Snapshot())]);

    private ITaskGrain TaskGrain(TaskView t) => GrainFactory.GetGrain<ITaskGrain>(new TaskRef(Id, t.Index).Key);

    private void MoveWorkflow(WorkflowState to, string? error)
    {
        StateMachines.Workflow.Ensure(_state, to);
        _state = to;
        _error = error;
        _log.Append(EventKinds.WorkflowState, null, new JsonObject { ["state"] = to.ToString(), ["error"] = error });
    }

    private void MoveTask(TaskView t, TaskState to, string? reason = null)
    {
        StateMachines.Task.Ensure(t.State, to);
        t.State = to;
        var data = new JsonObject { ["state"] = to.ToString(), ["attempt"] = t.Attempt };
        if (to == TaskState.Running && t.NodeId is not null)
        {
            data["node"] = t.NodeId;
        }

        if (t.Error is not null && to is TaskState.Failed or TaskState.Cancelled)
        {
            data["error"] = t.Error;
        }

        if (reason is not null)
        {
            data["reason"] = reason;
        }

        _log.Append(EventKinds.TaskState, t.Plan.Name, data);
    }

    private JsonNode? ResultOf(string name) => _byName.TryGetValue(name, out var i) ? _tasks[i].Result : null;

    private static string ConditionText(JsonNode? actual) => actual is null ? string.Empty : ResultPath.Text(actual);

    [LoggerMessage(Level = LogLevel.Warning, Message = "workflow {WorkflowId}: publishing events on its stream failed; watchers read them from the log")]
    private static partial void LogPublishFailed(ILogger logger, string workflowId, Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "workflow {WorkflowId}: writing its event log failed")]
    private static partial void LogFlushFailed(ILogger logger, string workflowId, Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "workflow {WorkflowId}: could not sync task {Task} after activation")]
    private static partial void LogSyncFailed(ILogger logger, string workflowId, string task, Exception ex);
}
