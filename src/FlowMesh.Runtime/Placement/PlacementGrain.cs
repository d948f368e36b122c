using System.Text.Json.Nodes;
using FlowMesh.Abstractions;
using FlowMesh.Engine.Actors;
using FlowMesh.Engine.Scheduling;
using FlowMesh.Runtime.Hosting;
using FlowMesh.Workflows;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace FlowMesh.Runtime.Placement;

/// <summary>
/// The cluster's placement: one activation (Orleans keeps exactly one) runs the scheduler's policy code over the ready
/// queues and every node's exact resource account, then asks each chosen task grain to take its place. Its memory is
/// rebuilt if it moves: node grains re-send their accounts with every heartbeat, and queued task grains re-queue.
/// Reentrant: a pass awaits task grains while enqueues and releases keep arriving; they only mark a new pass due.
/// </summary>
[Reentrant]
internal sealed partial class PlacementGrain(IOptions<RuntimeOptions> options, IOptions<SchedulerOptions> schedulerOptions, TimeProvider time, ILogger<PlacementGrain> logger)
    : Grain, IPlacementGrain, ISchedulingHost
{
    private readonly Scheduler _scheduler = new(schedulerOptions.Value);
    private readonly Dictionary<string, NodeActor> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _epochs = new(StringComparer.Ordinal);
    private readonly Dictionary<TaskRef, Queued> _queued = [];
    private readonly Dictionary<(string Node, TaskRef Task), PlacedAttempt> _placed = [];
    private readonly Dictionary<TaskRef, Parked> _parked = [];
    private readonly List<(Queued Queued, NodeActor Node, int[] Gpus)> _dispatch = [];
    private bool _passDue;
    private Task _passes = Task.CompletedTask;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var period = options.Value.LeaseCheckInterval;
        this.RegisterGrainTimer(_ => TickAsync(), new GrainTimerCreationOptions(period, period) { Interleave = true, KeepAlive = true });
        return base.OnActivateAsync(cancellationToken);
    }

    public Task EnqueueAsync(QueuedWork work)
    {
        if (_queued.TryGetValue(work.Task, out var known) && known.Work.Attempt >= work.Attempt)
        {
            return Task.CompletedTask;
        }

        if (_parked.TryGetValue(work.Task, out var parked) && parked.Work.Attempt >= work.Attempt)
        {
            return Task.CompletedTask;
        }

        Add(work);
        RequestPass();
        return Task.CompletedTask;
    }

    public Task NodeChangedAsync(NodeAccount account)
    {
        var r = account.Registration;
        if (!_nodes.TryGetValue(account.NodeId, out var node) || _epochs[account.NodeId] != account.Epoch)
        {
            // A node we did not know, or that registered again: its account starts from what its grain says it holds.
            node = new NodeActor(account.NodeId, new NodeCapacity(r.CpuMillis, r.MemoryBytes, [.. r.Gpus.Select(g => new GpuDevice(g.Index, g.Name, g.MemoryBytes))], r.Slots, r.TaskTypes, r.Labels, r.WarmModels))
            {
                Remote = true,
            };
            _nodes[account.NodeId] = node;
            _epochs[account.NodeId] = account.Epoch;
            foreach (var key in _placed.Keys.Where(k => k.Node == account.NodeId).ToList())
            {
                // Uncharged here: the account below charges again what the node still holds.
                _scheduler.Charge(_placed[key].Tenant, Convert(_placed[key].Resources), -1);
                _placed.Remove(key);
            }

            foreach (var p in account.Placed)
            {
                if (node.TryReserveExact(Convert(p.Resources), p.Gpus))
                {
                    _placed[(account.NodeId, p.Task)] = p;
                    _scheduler.Charge(p.Tenant, Convert(p.Resources), +1);
                }
            }

            Unpark();
        }

        else
        {
            DropUnaccounted(node, account);
        }

        var wasPlaceable = node.State == NodeState.Up && !node.Cordoned;
        node.State = account.State;
        node.Cordoned = account.Cordoned;
        if (account.State is NodeState.Lost or NodeState.Left)
        {
            // Its attempts are lost; their task grains find out by their lease checks and queue again.
            foreach (var key in _placed.Keys.Where(k => k.Node == account.NodeId).ToList())
            {
                var p = _placed[key];
                _placed.Remove(key);
                RecordUsage(account.NodeId, p);
                node.Release(Convert(p.Resources), p.Gpus);
                _scheduler.Charge(p.Tenant, Convert(p.Resources), -1);
            }
        }
        else if (!wasPlaceable && account.State == NodeState.Up && !account.Cordoned)
        {
            Unpark();
        }

        RequestPass();
        return Task.CompletedTask;
    }

    public Task ReleaseAsync(string nodeId, TaskRef task, int attempt)
    {
        if (_placed.TryGetValue((nodeId, task), out var p) && p.Attempt == attempt)
        {
            _placed.Remove((nodeId, task));
            RecordUsage(nodeId, p);
            if (_nodes.TryGetValue(nodeId, out var node))
            {
                node.Release(Convert(p.Resources), p.Gpus);
            }

            _scheduler.Charge(p.Tenant, Convert(p.Resources), -1);
            RequestPass();
        }

        return Task.CompletedTask;
    }

    public Task<Dictionary<string, int>> QueuedAsync() =>
        Task.FromResult(_queued.Values.GroupBy(q => q.Work.Tenant, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal));

    /// <summary>
    /// Room this grain holds for attempts the node grain no longer accounts for, placed over a lease ago: their release
    /// was lost (a silo moving). Without this a node would look full for ever.
    /// </summary>
    private void DropUnaccounted(NodeActor node, NodeAccount account)
    {
        var now = time.GetUtcNow();
        var held = account.Placed.Select(p => (p.Task, p.Attempt)).ToHashSet();
        foreach (var key in _placed.Keys.Where(k => k.Node == account.NodeId).ToList())
        {
            var p = _placed[key];
            var since = _started.TryGetValue(key, out var s) && s.Attempt == p.Attempt ? s.At : now;
            if (!held.Contains((p.Task, p.Attempt)) && now - since > options.Value.Lease)
            {
                _placed.Remove(key);
                RecordUsage(account.NodeId, p);
                node.Release(Convert(p.Resources), p.Gpus);
                _scheduler.Charge(p.Tenant, Convert(p.Resources), -1);
            }
        }
    }

    private void Add(QueuedWork work)
    {
        _parked.Remove(work.Task);
        var spec = JsonNode.Parse(work.SpecJson) as JsonObject ?? [];
        var wf = new WorkflowActor(work.Task.WorkflowId, string.Empty, []) { Tenant = work.Tenant };
        var t = new TaskActor(work.Task.Index, string.Empty, work.TaskType, spec, [], Convert(work.Resources), null)
        {
            State = TaskState.Ready,
            FailedOn = work.FailedOn.Length > 0 ? new HashSet<string>(work.FailedOn, StringComparer.Ordinal) : null,
        };
        var entry = _scheduler.Add(wf, t, work.ReadySince);
        _queued[work.Task] = new Queued(work, entry);
    }

    private void RequestPass()
    {
        _passDue = true;
        if (_passes.IsCompleted)
        {
            _passes = RunPassesAsync();
        }
    }

    private async Task RunPassesAsync()
    {
        while (_passDue)
        {
            _passDue = false;
            _dispatch.Clear();
            _scheduler.Schedule(_nodes.Values, time.GetUtcNow(), this);
            if (_dispatch.Count == 0)
            {
                continue;
            }

            var placing = _dispatch.ToList();
            var answers = await Task.WhenAll(placing.Select(PlaceAsync));
            for (var i = 0; i < placing.Count; i++)
            {
                if (!answers[i])
                {
                    var (q, node, gpus) = placing[i];
                    if (_placed.Remove((node.Id, q.Work.Task)))
                    {
                        node.Release(Convert(q.Work.Resources), gpus);
                        _scheduler.Charge(q.Work.Tenant, Convert(q.Work.Resources), -1);
                        _passDue = true;
                    }
                }
            }
        }
    }

    private async Task<bool> PlaceAsync((Queued Queued, NodeActor Node, int[] Gpus) d)
    {
        try
        {
            var answer = await GrainFactory.GetGrain<ITaskGrain>(d.Queued.Work.Task.Key).PlaceAsync(d.Queued.Work.Attempt, d.Node.Id, d.Gpus);
            return answer == PlacementOutcome.Taken;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The task grain will re-queue itself if it still waits (its silo may be gone).
            LogPlaceFailed(logger, d.Queued.Work.Task.Key, ex);
            return false;
        }
    }

    private static ResourceRequest Convert(ResourceShape r) => Client.WorkflowPlanner.Request(r);

    [LoggerMessage(Level = LogLevel.Warning, Message = "placing task {Task} failed; it queues itself again")]
    private static partial void LogPlaceFailed(ILogger logger, string task, Exception ex);
}
