using FlowMesh.Abstractions;
using FlowMesh.Engine.Actors;
using FlowMesh.Engine.Scheduling;

namespace FlowMesh.Runtime.Placement;

/// <summary>What the scheduler's policy code asks of its host; answered from the grain's memory, without awaiting.</summary>
internal sealed partial class PlacementGrain
{
    public bool IsQueued(QueuedTask entry) =>
        _queued.TryGetValue(new TaskRef(entry.Workflow.Id, entry.Task.Index), out var q) && ReferenceEquals(q.Entry, entry);

    public double WeightOf(string tenant) => 1;

    public string? TenantHold(string tenant) => null;

    public string? Hold(QueuedTask entry) => null;

    public string? NeverAllowed(QueuedTask entry) => null;

    public void Waiting(QueuedTask entry, string reason)
    {
    }

    public void Reject(QueuedTask entry, string reason)
    {
        if (_queued.Remove(new TaskRef(entry.Workflow.Id, entry.Task.Index), out var q))
        {
            _ = RejectAsync(q.Work, reason);
        }
    }

    public void Unplaceable(QueuedTask entry, string why)
    {
        var key = new TaskRef(entry.Workflow.Id, entry.Task.Index);
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
}
