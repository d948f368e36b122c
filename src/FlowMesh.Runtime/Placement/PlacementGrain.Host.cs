using FlowMesh.Abstractions;
using FlowMesh.Engine.Actors;
using FlowMesh.Engine.Scheduling;
using FlowMesh.Runtime.Tenants;
using Microsoft.Extensions.Logging;

namespace FlowMesh.Runtime.Placement;

/// <summary>
/// What the scheduler's policy code asks of its host; answered from the grain's memory, without awaiting. Tenants'
/// settings and usage come from their grains into <see cref="_tenants"/>, read when a tenant is first seen and then on
/// every tick; a tenant whose settings are still being read waits.
/// </summary>
internal sealed partial class PlacementGrain
{
    /// <summary>Usage records whose tenant grain did not answer, kept for the next tick (beyond this, the oldest go).</summary>
    private const int MaxUnsent = 10_000;

    private readonly TenantCache _tenants = new();
    private readonly Dictionary<TaskRef, string> _waiting = [];
    private readonly Dictionary<(string Node, TaskRef Task), (int Attempt, DateTimeOffset At)> _started = [];
    private readonly List<(string Tenant, TenantUsageRecord Usage)> _unsent = [];

    public bool IsQueued(QueuedTask entry) =>
        _queued.TryGetValue(new TaskRef(entry.Workflow.Id, entry.Task.Index), out var q) && ReferenceEquals(q.Entry, entry);

    public double WeightOf(string tenant)
    {
        Known(tenant);
        return _tenants.WeightOf(tenant);
    }

    public string? TenantHold(string tenant) =>
        Known(tenant) ? _tenants.TenantHold(tenant, _placed.Values.Count(p => p.Tenant == tenant)) : $"tenant {tenant}: reading its settings";

    public string? Hold(QueuedTask entry)
    {
        var gpus = entry.Task.Resources.GpuCount;
        if (gpus == 0)
        {
            return null;
        }

        // The tenant's settings may have arrived (or changed) after the scheduler's first look at the task.
        if (NeverAllowed(entry) is { } never)
        {
            Reject(entry, never);
            return never;
        }

        var held = _placed.Values.Where(p => p.Tenant == entry.Tenant).Sum(p => p.Resources.GpuCount);
        return _tenants.Hold(entry.Tenant, gpus, held, time.GetUtcNow());
    }

    public string? NeverAllowed(QueuedTask entry) =>
        Known(entry.Tenant) ? _tenants.NeverAllowed(entry.Tenant, entry.Task.Resources.GpuCount) : null;

    public void Waiting(QueuedTask entry, string reason)
    {
        if (IsQueued(entry))
        {
            var key = new TaskRef(entry.Workflow.Id, entry.Task.Index);
            if (!_waiting.TryGetValue(key, out var last) || last != reason)
            {
                // Only a changed reason reaches the workflow's log (the scheduler repeats itself every pass).
                _ = NoteWaitingAsync(key, _queued[key].Work.Attempt, reason);
            }

            _waiting[key] = reason;
        }
    }

    /// <summary>Why each of the workflow's queued or parked tasks waits, by task index (what a pass last found).</summary>
    public Task<Dictionary<int, string>> WaitingAsync(string workflowId)
    {
        var found = new Dictionary<int, string>();
        foreach (var (key, reason) in _waiting)
        {
            if (key.WorkflowId == workflowId && _queued.ContainsKey(key))
            {
                found[key.Index] = reason;
            }
        }

        foreach (var (key, p) in _parked)
        {
            if (key.WorkflowId == workflowId)
            {
                found[key.Index] = $"waiting for a node that can run this task: {p.Why}";
            }
        }

        return Task.FromResult(found);
    }

    public void Reject(QueuedTask entry, string reason)
    {
        var key = new TaskRef(entry.Workflow.Id, entry.Task.Index);
        _waiting.Remove(key);
        if (_queued.Remove(key, out var q))
        {
            _ = RejectAsync(q.Work, reason);
        }
    }

    public void Unplaceable(QueuedTask entry, string why)
    {
        var key = new TaskRef(entry.Workflow.Id, entry.Task.Index);
        _waiting.Remove(key);
        if (_queued.Remove(key, out var q))
        {
            _parked[key] = new Parked(q.Work, time.GetUtcNow(), why);
            if (options.Value.UnplaceableTimeout == TimeSpan.Zero)
            {
                _parked.Remove(key);
                _ = RejectAsync(q.Work, $"no node can run this task: {why}");
            }
        }
    }

    public bool Dispatch(QueuedTask entry, NodeActor node, int[] gpus)
    {
        var key = new TaskRef(entry.Workflow.Id, entry.Task.Index);
        if (!_queued.Remove(key, out var q))
        {
            return false;
        }

        _placed[(node.Id, key)] = new PlacedAttempt(key, q.Work.Attempt, q.Work.Tenant, q.Work.Resources, gpus);
        _dispatch.Add((q, node, gpus));
        _waiting.Remove(key);
        var now = time.GetUtcNow();
        _started[(node.Id, key)] = (q.Work.Attempt, now);
        FlagOverBudget(q.Work, now);
        return true;
    }

    /// <summary>A node joined or came back: parked tasks get another look.</summary>
    private void Unpark()
    {
        foreach (var p in _parked.Values.ToList())
        {
            Add(p.Work);
        }
    }

    private async Task CheckParkedAsync()
    {
        var timeout = options.Value.UnplaceableTimeout;
        var now = time.GetUtcNow();
        foreach (var (key, p) in _parked.Where(kv => now - kv.Value.Since >= timeout).ToList())
        {
            _parked.Remove(key);
            await RejectAsync(p.Work, $"no node could run this task for {timeout.TotalSeconds:0} s: {p.Why}");
        }
    }

    private async Task RejectAsync(QueuedWork work, string reason)
    {
        try
        {
            await GrainFactory.GetGrain<ITaskGrain>(work.Task.Key).RejectAsync(work.Attempt, reason);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogPlaceFailed(logger, work.Task.Key, ex);
        }
    }

    private async Task TickAsync()
    {
        await CheckParkedAsync();
        await RefreshTenantsAsync();
    }

    /// <summary>True when the tenant's settings are known; otherwise starts reading them (once) and answers false.</summary>
    private bool Known(string tenant)
    {
        if (_tenants.IsKnown(tenant, out var startLoad))
        {
            return true;
        }

        if (startLoad)
        {
            _ = LoadTenantAsync(tenant);
        }

        return false;
    }

    private async Task LoadTenantAsync(string tenant)
    {
        try
        {
            _tenants.Apply(await GrainFactory.GetGrain<ITenantGrain>(tenant).GetAsync());
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Its work runs unlimited rather than not at all; the next tick reads the grain again.
            LogTenantUnreadable(logger, tenant, ex);
            _tenants.Unreadable(tenant);
        }

        RequestPass();
    }

    /// <summary>Re-reads the active tenants (all at once, so a change reaches one pass together) and tidies what the queues left.</summary>
    private async Task RefreshTenantsAsync()
    {
        var now = time.GetUtcNow();
        foreach (var key in _waiting.Keys.Where(k => !_queued.ContainsKey(k)).ToList())
        {
            _waiting.Remove(key);
        }

        foreach (var key in _started.Keys.Where(k => !_placed.TryGetValue(k, out var p) || p.Attempt != _started[k].Attempt).ToList())
        {
            _started.Remove(key);
        }

        // Attempts learnt from a node's account (this activation is new, or the node registered again) started at the
        // latest now: their GPU-seconds are counted from here.
        foreach (var (key, p) in _placed)
        {
            _started.TryAdd(key, (p.Attempt, now));
        }

        var active = _queued.Values.Select(q => q.Work.Tenant)
            .Concat(_placed.Values.Select(p => p.Tenant))
            .Concat(_parked.Values.Select(p => p.Work.Tenant))
            .ToHashSet(StringComparer.Ordinal);
        _tenants.Retain(active);
        var tenants = _tenants.Known.ToList();
        var views = await Task.WhenAll(tenants.Select(ReadTenantAsync));
        var changed = false;
        foreach (var view in views)
        {
            changed |= view is not null && _tenants.Apply(view);
        }

        var unsent = _unsent.ToList();
        _unsent.Clear();
        await Task.WhenAll(unsent.Select(u => SendUsageAsync(u.Tenant, u.Usage)));
        if (changed)
        {
            RequestPass();
        }
    }

    private async Task<TenantView?> ReadTenantAsync(string tenant)
    {
        try
        {
            return await GrainFactory.GetGrain<ITenantGrain>(tenant).GetAsync();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogTenantUnreadable(logger, tenant, ex);
            return null;
        }
    }

    /// <summary>An attempt placed on <paramref name="nodeId"/> ended (or its node was lost): its tenant is charged its GPU-seconds.</summary>
    private void RecordUsage(string nodeId, PlacedAttempt p)
    {
        var now = time.GetUtcNow();
        var startedAt = _started.Remove((nodeId, p.Task), out var s) && s.Attempt == p.Attempt ? s.At : now;
        if (p.Gpus.Length == 0)
        {
            // Budgets count GPU-seconds only: a CPU attempt costs no grain call.
            return;
        }

        var usage = new TenantUsageRecord(p.Task, p.Attempt, nodeId, p.Gpus.Length, startedAt, now);
        _tenants.AddUsage(p.Tenant, usage);

        // Not awaited: a release must not wait on the tenant's storage. A record that does not land is re-sent on the
        // next tick, and the tenant grain counts each (task, attempt) once however often it arrives.
        _ = SendUsageAsync(p.Tenant, usage);
    }

    private async Task SendUsageAsync(string tenant, TenantUsageRecord usage)
    {
        try
        {
            if (_tenants.Apply(await GrainFactory.GetGrain<ITenantGrain>(tenant).RecordUsageAsync(usage)))
            {
                RequestPass();
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogUsageNotSent(logger, tenant, usage.Task.Key, usage.Attempt, ex);
            if (_unsent.Count >= MaxUnsent)
            {
                _unsent.RemoveAt(0);
            }

            _unsent.Add((tenant, usage));
        }
    }

    /// <summary>A soft budget lets GPU work run but flags it: once per attempt placed over it.</summary>
    private void FlagOverBudget(QueuedWork work, DateTimeOffset now)
    {
        if (work.Resources.GpuCount > 0 && _tenants.OverSoftBudget(work.Tenant, now) is { } reason)
        {
            // Not awaited, like usage: a flag that does not land is lost, which a soft limit tolerates.
            _ = FlagAsync(work.Tenant, new TenantOverBudget(work.Task, work.Attempt, reason, now));
        }
    }

    private async Task NoteWaitingAsync(TaskRef task, int attempt, string reason)
    {
        try
        {
            await GrainFactory.GetGrain<IWorkflowGrain>(task.WorkflowId).TaskWaitingAsync(task.Index, attempt, reason);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A note, not a decision: the reason stays readable through WaitingAsync.
            LogPlaceFailed(logger, task.Key, ex);
        }
    }

    private async Task FlagAsync(string tenant, TenantOverBudget flag)
    {
        try
        {
            await GrainFactory.GetGrain<ITenantGrain>(tenant).FlagOverBudgetAsync(flag);
            await GrainFactory.GetGrain<IWorkflowGrain>(flag.Task.WorkflowId).TaskOverBudgetAsync(flag.Task.Index, flag.Attempt, flag.Reason);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogFlagNotSent(logger, tenant, flag.Task.Key, flag.Attempt, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "could not read tenant {Tenant}'s settings; its work runs with the defaults until the next refresh")]
    private static partial void LogTenantUnreadable(ILogger logger, string tenant, Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "could not charge tenant {Tenant} for task {Task} attempt {Attempt}; re-sent on the next tick")]
    private static partial void LogUsageNotSent(ILogger logger, string tenant, string task, int attempt, Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "could not flag task {Task} attempt {Attempt} as over tenant {Tenant}'s soft budget")]
    private static partial void LogFlagNotSent(ILogger logger, string tenant, string task, int attempt, Exception ex);
}
