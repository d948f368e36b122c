using FlowMesh.Engine.Actors;
using FlowMesh.Engine.Executors;
using FlowMesh.Engine.Scheduling;
using FlowMesh.Abstractions;
using FlowMesh.Engine.Store;

namespace FlowMesh.Engine.Runtime;

/// <summary>The engine as the scheduler's host: it says what may run, and dispatches what the scheduler placed.</summary>
public sealed partial class FlowMeshEngine : ISchedulingHost
{
    private StoreTransaction? _passTx;
    private List<Assignment>? _passDispatches;

    private void Enqueue(WorkflowActor wf, TaskActor t, bool ahead = false)
    {
        var now = _time.GetUtcNow();
        var since = ahead && t.QueuedSince is { } kept ? kept : now;
        t.QueuedSince = since;
        t.QueueEntry = _scheduler.Add(wf, t, since);
    }

    private void Schedule(StoreTransaction tx, List<Assignment> dispatches)
    {
        (_passTx, _passDispatches) = (tx, dispatches);
        try
        {
            _scheduler.Schedule(_nodes.Values, _time.GetUtcNow(), this);
        }
        finally
        {
            (_passTx, _passDispatches) = (null, null);
        }
    }

    bool ISchedulingHost.IsQueued(QueuedTask entry) => IsQueued(entry);

    /// <summary>The entry is its task's current place in the queue, the task is ready and its workflow places tasks.</summary>
    private bool IsQueued(QueuedTask entry) =>
        entry.Task.QueueEntry == entry && entry.Task.State == TaskState.Ready
        && _workflows.TryGetValue(entry.Workflow.Id, out var wf) && wf == entry.Workflow && wf.State == WorkflowState.Running;

    double ISchedulingHost.WeightOf(string tenant) => TenantOf(tenant)?.Weight ?? 1;

    string? ISchedulingHost.TenantHold(string tenant) => TenantHold(tenant);

    string? ISchedulingHost.Hold(QueuedTask entry) => Hold(entry.Tenant, entry.Task.Resources);

    string? ISchedulingHost.NeverAllowed(QueuedTask entry) => QuotaNeverFits(entry.Tenant, entry.Task.Resources);

    void ISchedulingHost.Waiting(QueuedTask entry, string reason) => NoteWaiting(_passTx!, entry.Workflow, entry.Task, reason);

    void ISchedulingHost.Reject(QueuedTask entry, string reason)
    {
        entry.Task.QueueEntry = null;
        entry.Task.Error = reason;
        Finish(_passTx!, entry.Workflow, entry.Task, TaskState.Failed, null);
        CheckWorkflowDone(_passTx!, entry.Workflow);
    }

    void ISchedulingHost.Unplaceable(QueuedTask entry, string why)
    {
        var (wf, t) = (entry.Workflow, entry.Task);
        t.QueueEntry = null;
        if (_options.UnplaceableTimeout == TimeSpan.Zero)
        {
            FailUnplaceable(_passTx!, wf, t, why);
            return;
        }

        var since = _unplaceableSince.GetValueOrDefault((wf.Id, t.Index), _time.GetUtcNow());
        _unplaceable.Add((wf, t, since));
        _unplaceableSince[(wf.Id, t.Index)] = since;
        NoteWaiting(_passTx!, wf, t, $"waiting for a node that can run this task: {why}");
    }

    bool ISchedulingHost.Dispatch(QueuedTask entry, NodeActor node, int[] gpus)
    {
        var (wf, t, tx) = (entry.Workflow, entry.Task, _passTx!);
        t.QueueEntry = null;
        ExecutionRequest request;
        try
        {
            request = BuildRequest(wf, t, gpus);
        }
        catch (ExecutionException ex)
        {
            t.Error = ex.Message;
            Finish(tx, wf, t, TaskState.Failed, null);
            CheckWorkflowDone(tx, wf);
            return false;
        }

        ReleaseDependencies(wf, t);
        _unplaceableSince.Remove((wf.Id, t.Index));
        t.Attempt++;
        t.NodeId = node.Id;
        t.StartedAt = _time.GetUtcNow();
        t.LeaseUntil = node.Remote ? t.StartedAt + _options.LeaseDuration : null;
        t.Error = null;
        t.Reservation = gpus;
        MoveTask(tx, wf, t, TaskState.Running);
        _telemetry.Placed(wf, t, t.StartedAt.Value);
        if (_telemetry.TraceParent(wf, t) is { } traceParent)
        {
            request = request with { TraceParent = traceParent };
        }

        request = MergeInto(wf, t, node, request);
        FlagSoftBudget(wf, t);
        _passDispatches!.Add(new Assignment(wf.Id, t.Index, request, t.Resources, gpus, node.Id));
        return true;
    }
}
