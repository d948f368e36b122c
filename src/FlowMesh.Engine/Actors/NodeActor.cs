using FlowMesh.Abstractions;
using FlowMesh.Workflows;

namespace FlowMesh.Engine.Actors;

/// <summary>
/// A node's exact resource account. A task is placed only when all it asks for is free, so the node is never
/// over-committed; GPUs are handed out by index.
/// </summary>
internal sealed class NodeActor(string id, NodeCapacity capacity)
{
    private readonly bool[] _gpuTaken = new bool[capacity.Gpus.Count];

    public string Id { get; } = id;

    /// <summary>What the node has; only its warm models change after it joins (GPUs, CPU and memory do not).</summary>
    public NodeCapacity Capacity { get; set; } = capacity;

    public NodeState State { get; set; } = NodeState.Up;

    public long Version { get; set; }

    /// <summary>True for a node agent in another process; false for the engine's own embedded node.</summary>
    public bool Remote { get; init; }

    /// <summary>Bumped each time a remote node registers; polls and heartbeats from an older epoch are refused.</summary>
    public long Epoch { get; set; }

    public DateTimeOffset HeartbeatAt { get; set; }

    public string Host { get; set; } = string.Empty;

    public int Pid { get; set; }

    public long ProcessStart { get; set; }

    /// <summary>A draining node finishes what it holds and takes nothing new.</summary>
    public bool Draining { get; set; }

    /// <summary>A cordoned node keeps what it runs and takes nothing new.</summary>
    public bool Cordoned { get; set; }

    public long FreeCpuMillis { get; private set; } = capacity.CpuMillis;

    public long FreeMemoryBytes { get; private set; } = capacity.MemoryBytes;

    public int FreeSlots { get; private set; } = capacity.Slots;

    public int Running => Capacity.Slots - FreeSlots;

    public int FreeGpus => _gpuTaken.Count(taken => !taken);

    /// <summary>The engine's own node has ids like <c>embedded-HOST-PID-XXXXXX</c>; every other node is a remote agent.</summary>
    public static bool IsEmbeddedId(string id) => id.StartsWith("embedded-", StringComparison.Ordinal);

    public bool Supports(string taskType) => Capacity.TaskTypes.Contains(taskType, StringComparer.Ordinal);

    /// <summary>Why this node could never run the request, or null when it could (when free).</summary>
    public string? NeverFits(string taskType, ResourceRequest r)
    {
        if (!Supports(taskType))
        {
            return $"no executor for taskType '{taskType}' (node {Id} runs {string.Join(", ", Capacity.TaskTypes)})";
        }

        if (r.CpuMillis > Capacity.CpuMillis)
        {
            return $"asks for {r.CpuMillis / 1000.0:0.###} CPUs, node {Id} has {Capacity.CpuMillis / 1000.0:0.###}";
        }

        if (r.MemoryBytes > Capacity.MemoryBytes)
        {
            return $"asks for {Workflows.Schema.Quantities.FormatBytes(r.MemoryBytes)} memory, node {Id} has {Workflows.Schema.Quantities.FormatBytes(Capacity.MemoryBytes)}";
        }

        if (r.Gpu is { } g && MatchingGpus(g).Count() < g.Count)
        {
            return $"asks for {g.Count} GPU(s) of type '{g.Type}'{(g.MemoryBytes > 0 ? $" with {Workflows.Schema.Quantities.FormatBytes(g.MemoryBytes)}" : string.Empty)}, node {Id} has {DescribeGpus()}";
        }

        return null;
    }

    public bool TryReserve(ResourceRequest r, out int[] gpus)
    {
        gpus = [];
        if (State != NodeState.Up || Cordoned || Draining || FreeSlots == 0 || r.CpuMillis > FreeCpuMillis || r.MemoryBytes > FreeMemoryBytes)
        {
            return false;
        }

        if (r.Gpu is { } g)
        {
            var free = MatchingGpus(g).Where(d => !_gpuTaken[d.Index]).Take(g.Count).Select(d => d.Index).ToArray();
            if (free.Length < g.Count)
            {
                return false;
            }

            gpus = free;
            foreach (var i in gpus)
            {
                _gpuTaken[i] = true;
            }
        }

        FreeSlots--;
        FreeCpuMillis -= r.CpuMillis;
        FreeMemoryBytes -= r.MemoryBytes;
        return true;
    }

    /// <summary>Takes exactly these GPUs (a task a rejoining node still runs keeps what it had); false when they are not free.</summary>
    public bool TryReserveExact(ResourceRequest r, int[] gpus)
    {
        if (FreeSlots == 0 || r.CpuMillis > FreeCpuMillis || r.MemoryBytes > FreeMemoryBytes || gpus.Any(i => i < 0 || i >= _gpuTaken.Length || _gpuTaken[i]))
        {
            return false;
        }

        foreach (var i in gpus)
        {
            _gpuTaken[i] = true;
        }

        FreeSlots--;
        FreeCpuMillis -= r.CpuMillis;
        FreeMemoryBytes -= r.MemoryBytes;
        return true;
    }

    public void Release(ResourceRequest r, IEnumerable<int> gpus)
    {
        FreeSlots++;
        FreeCpuMillis += r.CpuMillis;
        FreeMemoryBytes += r.MemoryBytes;
        foreach (var i in gpus)
        {
            _gpuTaken[i] = false;
        }

        if (FreeSlots > Capacity.Slots || FreeCpuMillis > Capacity.CpuMillis || FreeMemoryBytes > Capacity.MemoryBytes)
        {
            throw new InvalidOperationException($"node {Id}: released more than was reserved");
        }
    }

    /// <summary>Why the head of the queue cannot be placed now: for the waiting note.</summary>
    public string WhyNotNow(ResourceRequest r)
    {
        if (Cordoned || Draining)
        {
            return $"node {Id} is {(Cordoned ? "cordoned" : "draining")}";
        }

        if (FreeSlots == 0)
        {
            return $"node {Id} has no free task slot ({Capacity.Slots} running)";
        }

        if (r.CpuMillis > FreeCpuMillis || r.MemoryBytes > FreeMemoryBytes)
        {
            // Stable text (what the task needs, not what is free this instant): a waiting note is rewritten only when it changes.
            return $"node {Id} lacks the free CPU or memory this task needs ({r.CpuMillis / 1000.0:0.###} CPUs, {Workflows.Schema.Quantities.FormatBytes(r.MemoryBytes)})";
        }

        return $"node {Id} has no free GPU of the requested type";
    }

    private IEnumerable<GpuDevice> MatchingGpus(GpuRequest g) => Capacity.Gpus.Where(d =>
        (g.Type is "any" or "" || GpuName(d).StartsWith(g.Type, StringComparison.OrdinalIgnoreCase))
        && (g.MemoryBytes == 0 || d.MemoryBytes >= g.MemoryBytes * 95 / 100));

    /// <summary>FlowMesh GPU types look like <c>nvidia-a100-80gb</c>: vendor and model, lower case, dashes.</summary>
    internal static string GpuName(GpuDevice d) => d.Name.ToLowerInvariant().Replace(' ', '-');

    private string DescribeGpus() => Capacity.Gpus.Count == 0 ? "no GPUs" : string.Join(", ", Capacity.Gpus.Select(GpuName));
}
