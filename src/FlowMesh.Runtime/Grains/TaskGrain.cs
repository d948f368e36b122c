using FlowMesh.Abstractions;
using FlowMesh.Runtime.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Placement;

namespace FlowMesh.Runtime.Grains;

/// <summary>
/// One task: the only place where an attempt starts, ends, or is given up as lost. Not reentrant, so its rules read as
/// a sequence: a report is accepted only from the node that holds the current attempt, and anything older changes
/// nothing. Each decision is written before anyone hears of it; an outcome is re-sent to the workflow until it lands.
/// </summary>
[PreferLocalPlacement]
internal sealed partial class TaskGrain(
    [PersistentState("task", RuntimeNames.Storage)] IPersistentState<TaskRecord> record,
    IOptions<RuntimeOptions> options,
    TimeProvider time,
    ILogger<TaskGrain> logger) : Grain, ITaskGrain
{
    private IGrainTimer? _tick;
    private DateTimeOffset _queuedAt;

    private TaskRecord S => record.State;

    private TaskRef? _ref;

    private TaskRef Ref => _ref ??= TaskRef.Parse(this.GetPrimaryKeyString());

    private IWorkflowGrain Workflow => GrainFactory.GetGrain<IWorkflowGrain>(Ref.WorkflowId);

    private IPlacementGrain Placement => GrainFactory.GetGrain<IPlacementGrain>(0);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (S.Unacked is not null || S.State is TaskState.Ready or TaskState.Running)
        {
            // After a move or a restart: re-send what the workflow may not have heard, re-queue, re-arm the lease check.
            this.RegisterGrainTimer(_ => ResumeAsync(), new GrainTimerCreationOptions(TimeSpan.Zero, Timeout.InfiniteTimeSpan));
        }

        await base.OnActivateAsync(cancellationToken);
    }

    public async Task ReadyAsync(TaskWork work)
    {
        if (S.Work is not null)
        {
            if (S.State == TaskState.Ready && S.RetryAt is null && !S.Held)
            {
                await EnqueueAsync();
            }

            return;
        }

        // Not written: the workflow's log already says the task is ready, and a new activation that lacks the work is
        // handed it again by the workflow's re-sync. The first write is the placement, which a chain waits on anyway.
        TakeWork(work);
        if (!S.Held)
        {
            await EnqueueAsync();
        }

        ArmTick();
    }

    public async Task<PlacementOutcome> PlaceAsync(int attempt, string nodeId, int[] gpus)
    {
        if (S.Work is not { } work || S.State != TaskState.Ready || S.RetryAt is not null || S.Held || attempt != S.Attempt + 1)
        {
            return PlacementOutcome.Refused;
        }

        S.Attempt = attempt;
        S.State = TaskState.Running;
        S.NodeId = nodeId;
        S.Gpus = gpus;
        S.PlacedResources = work.Resources;
        S.Error = null;

        // The write and the hand-over go together: a report can only be taken after this call (the grain is not
        // reentrant), so after the write. Should the write be lost with a crash, the grain places attempt N again, and
        // only the node holding it can report it: node and attempt together fence, as the agent runs one (task, attempt) once.
        await Task.WhenAll(record.WriteStateAsync(), Workflow.TaskStartedAsync(Ref.Index, attempt, nodeId), AssignAsync(work, attempt, nodeId, gpus));
        ArmTick();
        return PlacementOutcome.Taken;
    }

    private async Task AssignAsync(TaskWork work, int attempt, string nodeId, int[] gpus)
    {
        try
        {
            await GrainFactory.GetGrain<INodeGrain>(nodeId).AssignAsync(
                new WorkAssignment(work, attempt, nodeId, gpus),
                new PlacedAttempt(Ref, attempt, work.Tenant, work.Resources, gpus));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The node grain could not take it: the lease check finds it lost and queues the task again.
            LogAssignFailed(logger, Ref.Key, nodeId, ex);
        }
    }

    public async Task<ReportOutcome> ReportAsync(TaskReport report)
    {
        if (report.Attempt == S.ReportedAttempt && report.NodeId == S.ReportedNode)
        {
            await AckAsync();
            return ReportOutcome.Duplicate;
        }

        if (!Holds(report.NodeId, report.Attempt))
        {
            LogStale(logger, Ref.Key, report.NodeId, report.Attempt, S.Attempt, S.NodeId);
            return ReportOutcome.Stale;
        }

        var node = S.NodeId!;
        S.ReportedAttempt = report.Attempt;
        S.ReportedNode = report.NodeId;
        if (report.Succeeded)
        {
            End(TaskState.Succeeded, report.ResultJson, null, null);
        }
        else if (RetryPolicy.From(S.Work!.SpecJson) is { } policy && policy.Allows(S.Attempt))
        {
            var delay = policy.Delay(S.Attempt);
            S.RetryAt = time.GetUtcNow() + delay;
            S.FailedOn.Add(node);
            End(TaskState.Ready, null, report.Error, RetryPolicy.Reason(S.Attempt + 1, policy.MaxAttempts, delay, report.Error));
        }
        else if (!S.UsingFallback && FallbackWork.From(S.Work) is { } fallback)
        {
            return await FallBackAsync(fallback, node, report);
        }
        else
        {
            End(TaskState.Failed, report.ResultJson, report.Error, null);
        }

        S.Unacked = S.Unacked! with { Logs = report.Logs };

        // The outcome's write and its news go together, so a chain waits for one commit, not two. Should the write be
        // lost with a crash, the grain wakes up Running; its lease check then wants another attempt, and the workflow,
        // which has the outcome, answers with it: the grain adopts it instead of running the task again.
        var ack = AckAsync();
        await Task.WhenAll(record.WriteStateAsync(), ReleaseAsync(node, report.Attempt, stop: false), ack);
        await AdoptAsync(await ack);
        ArmTick();
        return ReportOutcome.Accepted;
    }

    public async Task<ReportOutcome> LogAsync(string nodeId, int attempt, LogEntry[] lines)
    {
        if (!Holds(nodeId, attempt))
        {
            return ReportOutcome.Stale;
        }

        await Workflow.AppendLogsAsync(Ref.Index, attempt, lines);
        return ReportOutcome.Accepted;
    }

    public async Task RejectAsync(int attempt, string reason)
    {
        if (S.State != TaskState.Ready || attempt != S.Attempt + 1)
        {
            return;
        }

        End(TaskState.Failed, null, reason, null);
        await record.WriteStateAsync();
        await AckAsync();
        ArmTick();
    }

    public async Task CancelAsync(string reason)
    {
        if (IsTerminal)
        {
            return;
        }

        var node = S.State == TaskState.Running ? S.NodeId : null;
        S.State = TaskState.Cancelled;
        S.Error = reason;
        S.RetryAt = null;
        await record.WriteStateAsync();
        if (node is not null)
        {
            await ReleaseAsync(node, S.Attempt, stop: true);
        }

        _tick?.Dispose();
        _tick = null;
    }

    public async Task<TaskSnapshot> SyncAsync()
    {
        await ResumeAsync();
        return new TaskSnapshot(Ref.Index, S.Work?.Name ?? string.Empty, S.Work?.TaskType ?? string.Empty, S.State, S.Attempt, S.NodeId, S.Error);
    }

    private bool Holds(string nodeId, int attempt) => S.State == TaskState.Running && attempt == S.Attempt && nodeId == S.NodeId;

    /// <summary>Records the attempt's end; the caller writes the state, then tells the workflow (<see cref="AckAsync"/>).</summary>
    private void End(TaskState to, string? resultJson, string? error, string? reason)
    {
        S.State = to;
        S.Error = error;
        S.NodeId = null;
        S.Gpus = [];
        S.PlacedResources = null;
        if (to == TaskState.Ready)
        {
            S.ReadySince = time.GetUtcNow();
        }

        S.Unacked = new TaskEnd(Ref.Index, S.Attempt, to, resultJson, error, reason);
    }

    /// <summary>Tells the workflow the unacknowledged outcome; returns the task's state as the workflow has it, or null.</summary>
    private async Task<TaskState?> AckAsync()
    {
        if (S.Unacked is not { } end)
        {
            return null;
        }

        var seen = await Workflow.TaskEndedAsync(end);

        // Not written: if this grain restarts before its next write, it re-sends, and the workflow ignores a repeat.
        S.Unacked = null;
        return seen;
    }

    /// <summary>True when the task wanted another attempt but the workflow has its outcome already: it takes that.</summary>
    private async Task<bool> AdoptAsync(TaskState? seen)
    {
        if (S.State != TaskState.Ready || seen is not { } terminal || !StateMachines.Task.IsTerminal(terminal))
        {
            return false;
        }

        S.State = terminal;
        S.RetryAt = null;
        await record.WriteStateAsync();
        ArmTick();
        return true;
    }

    /// <summary>
    /// Gives the attempt's room back on both sides, each on its own: one that cannot be reached (its silo is moving) must
    /// not keep the other holding a finished attempt. What is missed heals by itself: the node grain drops an attempt
    /// its agent stopped listing a lease ago, and the placement grain drops room its node grain no longer accounts for.
    /// </summary>
    private async Task ReleaseAsync(string nodeId, int attempt, bool stop)
    {
        await Task.WhenAll(
            Quietly(() => Placement.ReleaseAsync(nodeId, Ref, attempt)),
            Quietly(() => GrainFactory.GetGrain<INodeGrain>(nodeId).ReleaseAsync(Ref, attempt, stop)));

        async Task Quietly(Func<Task> release)
        {
            try
            {
                await release();
            }
            catch (Exception ex) when (ex is OrleansException or TimeoutException)
            {
                LogReleaseFailed(logger, Ref.Key, nodeId, attempt, ex);
            }
        }
    }

    private Task EnqueueAsync()
    {
        _queuedAt = time.GetUtcNow();
        var w = S.Work!;
        return Placement.EnqueueAsync(new QueuedWork(Ref, S.Attempt + 1, w.Tenant, w.TaskType, w.SpecJson, w.Resources, S.ReadySince ?? _queuedAt, [.. S.FailedOn]));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "task {Task}: refused a stale report from node {Node} for attempt {Attempt} (current attempt {Current} on {Holder})")]
    private static partial void LogStale(ILogger logger, string task, string node, int attempt, int current, string? holder);

    [LoggerMessage(Level = LogLevel.Warning, Message = "task {Task}: could not release attempt {Attempt} on node {Node} yet; it heals on the next heartbeats")]
    private static partial void LogReleaseFailed(ILogger logger, string task, string node, int attempt, Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "task {Task}: could not hand the attempt to node {Node}; its lease check will queue it again")]
    private static partial void LogAssignFailed(ILogger logger, string task, string node, Exception ex);

    [LoggerMessage(Level = LogLevel.Information, Message = "task {Task}: node {Node} lost attempt {Attempt}; queued again")]
    private static partial void LogLeaseLost(ILogger logger, string task, string node, int attempt);
}
