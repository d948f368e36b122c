using FlowMesh.Engine.Actors;
using FlowMesh.Abstractions;
using FlowMesh.Workflows;

namespace FlowMesh.Engine.Scheduling;

/// <summary>
/// Chooses which ready task runs next and where. Each tenant has its own queue, ordered by aged priority; a pass
/// repeatedly takes the tenant with the smallest weighted dominant share (the largest of its shares of the cluster's
/// CPU, memory, GPUs and task slots, over its weight) and places the first of its tasks that fits somewhere now.
/// A task that does not fit yet is passed over (others may backfill) until it has waited
/// <see cref="SchedulerOptions.StarvationAfter"/>; then the nodes that could run it are held for it.
/// Nodes are never over-committed: a task is placed only by <see cref="NodeActor.TryReserve"/>.
/// </summary>
internal sealed partial class Scheduler(SchedulerOptions options)
{
    private readonly Dictionary<string, TenantQueue> _queues = new(StringComparer.Ordinal);
    private readonly List<QueuedTask> _fresh = [];
    private long _seq;

    public SchedulerOptions Options { get; } = options;

    /// <summary>Queues a ready task; <paramref name="since"/> is when it became ready (kept when a task is requeued ahead).</summary>
    public QueuedTask Add(WorkflowActor wf, TaskActor t, DateTimeOffset since)
    {
        var key = since.UtcTicks - (t.Placement.Priority * Options.AgingInterval.Ticks);
        var entry = new QueuedTask(wf, t, key, ++_seq, since);
        Queue(wf.Tenant).Entries.Add(entry);
        _fresh.Add(entry);
        return entry;
    }

    /// <summary>Up to <paramref name="max"/> queued tasks of the same tenant (in queue order, within the scan depth) that <paramref name="match"/> accepts; the queue is not changed.</summary>
    public List<QueuedTask> Matching(string tenant, Func<QueuedTask, bool> match, int max)
    {
        var found = new List<QueuedTask>();
        if (_queues.TryGetValue(tenant, out var q))
        {
            foreach (var entry in q.Entries.Take(Options.ScanDepth))
            {
                if (found.Count >= max)
                {
                    break;
                }

                if (match(entry))
                {
                    found.Add(entry);
                }
            }
        }

        return found;
    }

    public TenantUsage UsageOf(string tenant) => _queues.TryGetValue(tenant, out var q) ? q.Usage : default;

    /// <summary>Counts a running task's resources for (sign +1) or against (-1) its tenant.</summary>
    public void Charge(string tenant, ResourceRequest r, int sign)
    {
        var q = Queue(tenant);
        q.Usage = q.Usage.Add(r, sign);
    }

    /// <summary>Places what can be placed now. Costs what it places plus a bounded look at what it passes over.</summary>
    public void Schedule(IReadOnlyCollection<NodeActor> nodes, DateTimeOffset now, ISchedulingHost host)
    {
        var up = nodes.Where(n => n.State == NodeState.Up).ToList();
        CheckFresh(up, host);
        if (!up.Any(HasRoom))
        {
            return;
        }

        var totals = Totals(up);
        var active = _queues.Values.Where(q => q.Entries.Count > 0).ToList();
        var pass = new Pass(up, now, host);
        while (active.Count > 0 && up.Any(HasRoom))
        {
            TenantQueue? next = null;
            var best = double.MaxValue;
            foreach (var q in active)
            {
                var share = Share(q.Usage, totals, host.WeightOf(q.Tenant));
                if (share < best || (share == best && string.CompareOrdinal(q.Tenant, next!.Tenant) < 0))
                {
                    (next, best) = (q, share);
                }
            }

            if (!PlaceOne(next!, pass))
            {
                active.Remove(next!);
            }
        }
    }

    /// <summary>Fails at once what could never start: over its tenant's quota, or beyond every node that is up.</summary>
    private void CheckFresh(List<NodeActor> up, ISchedulingHost host)
    {
        foreach (var entry in _fresh)
        {
            if (!host.IsQueued(entry))
            {
                continue;
            }

            if (host.NeverAllowed(entry) is { } never)
            {
                Queue(entry.Tenant).Entries.Remove(entry);
                host.Reject(entry, never);
            }
            else if (!up.Any(n => Fits(n, entry.Task)))
            {
                Queue(entry.Tenant).Entries.Remove(entry);
                host.Unplaceable(entry, WhyNever(up, entry.Task));
            }
        }

        _fresh.Clear();
    }

    /// <summary>Places the first of the tenant's tasks that fits now; false when none does.</summary>
    private bool PlaceOne(TenantQueue queue, Pass pass)
    {
        var host = pass.Host;
        var gone = new List<QueuedTask>();
        var placed = false;
        var scanned = 0;
        var tenantHold = host.TenantHold(queue.Tenant);
        foreach (var entry in queue.Entries)
        {
            if (!host.IsQueued(entry))
            {
                gone.Add(entry);
                continue;
            }

            if (++scanned > Options.ScanDepth)
            {
                break;
            }

            if ((tenantHold ?? host.Hold(entry)) is { } hold)
            {
                host.Waiting(entry, hold);
                continue;
            }

            var t = entry.Task;
            var shape = (t.TaskType, t.Resources, t.Placement.SelectorKey);
            if (pass.NoRoom.TryGetValue(shape, out var known))
            {
                host.Waiting(entry, known.Why);
                pass.MaybeHold(entry, known.Candidates, Options.StarvationAfter);
                continue;
            }

            var candidates = pass.Up.Where(n => Fits(n, t)).ToList();
            if (candidates.Count == 0)
            {
                gone.Add(entry);
                host.Unplaceable(entry, WhyNever(pass.Up, t));
                continue;
            }

            var node = Reserve(Rank(candidates.Where(n => !pass.Held.Contains(n)), t), t, out var gpus);
            if (node is null)
            {
                var why = string.Join("; ", candidates.Select(n => pass.Held.Contains(n) ? $"node {n.Id} is held for a task that has waited longer" : n.WhyNotNow(t.Resources)));
                pass.NoRoom[shape] = (why, candidates);
                host.Waiting(entry, why);
                pass.MaybeHold(entry, candidates, Options.StarvationAfter);
                continue;
            }

            gone.Add(entry);
            if (host.Dispatch(entry, node, gpus))
            {
                Charge(entry.Tenant, t.Resources, +1);
                placed = true;
                break;
            }

            node.Release(t.Resources, gpus);
        }

        foreach (var entry in gone)
        {
            queue.Entries.Remove(entry);
        }

        return placed;
    }

    private static NodeActor? Reserve(IEnumerable<NodeActor> ranked, TaskActor t, out int[] gpus)
    {
        foreach (var node in ranked)
        {
            if (node.TryReserve(t.Resources, out gpus))
            {
                return node;
            }
        }

        gpus = [];
        return null;
    }

    private static bool HasRoom(NodeActor n) => n.FreeSlots > 0 && !n.Cordoned && !n.Draining;

    private static bool Fits(NodeActor n, TaskActor t) => n.NeverFits(t.TaskType, t.Resources) is null && t.Placement.Mismatch(n.Capacity.Labels) is null;

    private static string WhyNever(List<NodeActor> up, TaskActor t) => up.Count == 0
        ? "no node is up"
        : string.Join("; ", up.Select(n => n.NeverFits(t.TaskType, t.Resources) ?? $"node {n.Id} {t.Placement.Mismatch(n.Capacity.Labels)} (nodeSelector)"));

    private TenantQueue Queue(string tenant)
    {
        if (!_queues.TryGetValue(tenant, out var q))
        {
            _queues[tenant] = q = new TenantQueue(tenant);
        }

        return q;
    }
}
