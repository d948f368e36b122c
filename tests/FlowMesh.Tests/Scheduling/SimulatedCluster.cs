using System.Text.Json.Nodes;
using FlowMesh.Engine.Actors;
using FlowMesh.Engine.Scheduling;
using FlowMesh.Abstractions;
using FlowMesh.Workflows;

namespace FlowMesh.Tests.Scheduling;

/// <summary>
/// A synthetic cluster driven by the real <see cref="Scheduler"/> and <see cref="NodeActor"/> accounts on a simulated
/// clock (one step is one second). It keeps its own ledger of what it placed on each node and checks every placement
/// against the node's capacity, independently of the node's own counters.
/// </summary>
internal sealed class SimulatedCluster : ISchedulingHost
{
    private readonly Dictionary<string, double> _weights = new(StringComparer.Ordinal);
    private readonly Dictionary<TaskActor, (NodeActor Node, int[] Gpus, DateTimeOffset EndsAt, string Tenant)> _running = [];
    private readonly Dictionary<TaskActor, TimeSpan> _durations = [];
    private readonly Dictionary<NodeActor, Ledger> _ledger = [];
    private readonly Dictionary<TaskActor, string> _queued = [];
    private int _next;

    public SimulatedCluster(SchedulerOptions options, IEnumerable<NodeActor> nodes)
    {
        Scheduler = new Scheduler(options);
        Nodes = [.. nodes];
        foreach (var n in Nodes)
        {
            _ledger[n] = new Ledger();
        }
    }

    public Scheduler Scheduler { get; }

    public List<NodeActor> Nodes { get; }

    public DateTimeOffset Now { get; private set; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>GPU-seconds each tenant's tasks held.</summary>
    public Dictionary<string, double> GpuSeconds { get; } = new(StringComparer.Ordinal);

    /// <summary>When each task started.</summary>
    public Dictionary<TaskActor, DateTimeOffset> Started { get; } = [];

    public Dictionary<TaskActor, string> Rejected { get; } = [];

    public int Placements { get; private set; }

    public int Running => _running.Count;

    /// <summary>The tenant's tasks waiting to be placed.</summary>
    public int Queued(string tenant) => _queued.Count(kv => kv.Value == tenant);

    public static NodeActor Node(string id, double cpus, int memoryGiB, int slots, int gpus = 0, string gpuName = "NVIDIA H100 80GB HBM3", IReadOnlyDictionary<string, string>? labels = null) =>
        new(id, new NodeCapacity((long)(cpus * 1000), memoryGiB * (1L << 30),
            [.. Enumerable.Range(0, gpus).Select(i => new GpuDevice(i, gpuName, 80L << 30))], slots, ["echo"], labels));

    public void Weigh(string tenant, double weight) => _weights[tenant] = weight;

    public TaskActor Submit(string tenant, ResourceRequest resources, TimeSpan duration, int priority = 0, IReadOnlyDictionary<string, string>? selector = null)
    {
        var spec = new JsonObject { ["taskType"] = "echo", ["priority"] = priority };
        if (selector is not null)
        {
            spec["nodeSelector"] = new JsonObject(selector.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value)));
        }

        var t = new TaskActor(0, $"t{++_next}", "echo", spec, [], resources, null);
        var wf = new WorkflowActor($"wf{_next}", "sim", [t]) { Tenant = tenant, State = WorkflowState.Running };
        t.MoveTo(TaskState.Ready);
        _durations[t] = duration;
        _queued[t] = tenant;
        t.QueueEntry = Scheduler.Add(wf, t, Now);
        return t;
    }

    /// <summary>Ends the tasks due by now, places what can be placed, then advances the clock by one second.</summary>
    public void Step()
    {
        foreach (var (t, run) in _running.Where(r => r.Value.EndsAt <= Now).ToList())
        {
            _running.Remove(t);
            run.Node.Release(t.Resources, run.Gpus);
            _ledger[run.Node].Remove(t.Resources, run.Gpus);
            Scheduler.Charge(run.Tenant, t.Resources, -1);
            t.MoveTo(TaskState.Succeeded);
        }

        Scheduler.Schedule(Nodes, Now, this);
        foreach (var n in Nodes)
        {
            _ledger[n].CheckAgainst(n);
        }

        foreach (var run in _running.Values)
        {
            GpuSeconds[run.Tenant] = GpuSeconds.GetValueOrDefault(run.Tenant) + run.Gpus.Length;
        }

        Now += TimeSpan.FromSeconds(1);
    }

    bool ISchedulingHost.IsQueued(QueuedTask entry) => entry.Task.State == TaskState.Ready && entry.Task.QueueEntry == entry;

    double ISchedulingHost.WeightOf(string tenant) => _weights.GetValueOrDefault(tenant, 1);

    string? ISchedulingHost.TenantHold(string tenant) => null;

    string? ISchedulingHost.Hold(QueuedTask entry) => null;

    string? ISchedulingHost.NeverAllowed(QueuedTask entry) => null;

    void ISchedulingHost.Waiting(QueuedTask entry, string reason) => entry.Task.Waiting = reason;

    void ISchedulingHost.Reject(QueuedTask entry, string reason) => Fail(entry, reason);

    void ISchedulingHost.Unplaceable(QueuedTask entry, string why) => Fail(entry, why);

    bool ISchedulingHost.Dispatch(QueuedTask entry, NodeActor node, int[] gpus)
    {
        var t = entry.Task;
        _ledger[node].Add(node, t, gpus);
        t.MoveTo(TaskState.Running);
        t.QueueEntry = null;
        _queued.Remove(t);
        _running[t] = (node, gpus, Now + _durations[t], entry.Tenant);
        Started[t] = Now;
        Placements++;
        return true;
    }

    private void Fail(QueuedTask entry, string reason)
    {
        entry.Task.MoveTo(TaskState.Failed);
        entry.Task.QueueEntry = null;
        _queued.Remove(entry.Task);
        Rejected[entry.Task] = reason;
    }

    /// <summary>What the simulation itself placed on a node.</summary>
    private sealed class Ledger
    {
        private readonly HashSet<int> _gpus = [];
        private long _cpu;
        private long _memory;
        private int _tasks;

        public void Add(NodeActor node, TaskActor t, int[] gpus)
        {
            _cpu += t.Resources.CpuMillis;
            _memory += t.Resources.MemoryBytes;
            _tasks++;
            foreach (var g in gpus)
            {
                if (!_gpus.Add(g))
                {
                    throw new InvalidOperationException($"GPU {g} of node {node.Id} given twice");
                }

                var device = node.Capacity.Gpus[g];
                if (t.Resources.Gpu is { } want && want.Type != "any" && !NodeActor.GpuName(device).StartsWith(want.Type, StringComparison.OrdinalIgnoreCase))
                {
                    throw new InvalidOperationException($"task {t.Name} asked for {want.Type}, got {device.Name}");
                }
            }

            if (gpus.Length != t.Resources.GpuCount)
            {
                throw new InvalidOperationException($"task {t.Name} asked for {t.Resources.GpuCount} GPUs, got {gpus.Length}");
            }

            if (_cpu > node.Capacity.CpuMillis || _memory > node.Capacity.MemoryBytes || _tasks > node.Capacity.Slots)
            {
                throw new InvalidOperationException($"node {node.Id} over-committed: cpu {_cpu}/{node.Capacity.CpuMillis}, memory {_memory}/{node.Capacity.MemoryBytes}, tasks {_tasks}/{node.Capacity.Slots}");
            }

            if (t.Placement.Mismatch(node.Capacity.Labels) is { } mismatch)
            {
                throw new InvalidOperationException($"task {t.Name} placed on node {node.Id}, which {mismatch}");
            }
        }

        public void Remove(ResourceRequest r, int[] gpus)
        {
            _cpu -= r.CpuMillis;
            _memory -= r.MemoryBytes;
            _tasks--;
            _gpus.ExceptWith(gpus);
        }

        public void CheckAgainst(NodeActor node)
        {
            if (node.FreeCpuMillis != node.Capacity.CpuMillis - _cpu || node.FreeMemoryBytes != node.Capacity.MemoryBytes - _memory
                || node.FreeSlots != node.Capacity.Slots - _tasks || node.FreeGpus != node.Capacity.Gpus.Count - _gpus.Count)
            {
                throw new InvalidOperationException($"node {node.Id}'s account disagrees with what was placed on it");
            }
        }
    }
}
