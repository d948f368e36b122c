using FlowMesh.Engine.Actors;

namespace FlowMesh.Engine.Scheduling;

internal sealed partial class Scheduler
{
    /// <summary>
    /// Orders the nodes that could take a task: nodes it has not failed on first, then one holding its model warm, then
    /// one with its model in its disk cache, then
    /// (for a task without GPUs) nodes with fewer GPUs, so GPU nodes stay free for GPU work, then by the policy.
    /// </summary>
    internal IEnumerable<NodeActor> Rank(IEnumerable<NodeActor> nodes, TaskActor t)
    {
        var model = t.Placement.Model;
        return nodes
            .OrderBy(n => t.FailedOn?.Contains(n.Id) ?? false)
            .ThenByDescending(n => model is not null && (n.Capacity.WarmModels?.Contains(model, StringComparer.Ordinal) ?? false))
            .ThenByDescending(n => model is not null && (n.Capacity.CachedModels?.Contains(model, StringComparer.Ordinal) ?? false))
            .ThenBy(n => t.Resources.Gpu is null ? n.Capacity.Gpus.Count : 0)
            .ThenBy(n => Score(n, t))
            .ThenBy(n => n.Id, StringComparer.Ordinal);
    }

    /// <summary>Lower is better.</summary>
    private double Score(NodeActor n, TaskActor t) => Options.Policy switch
    {
        // What the task would leave free in the scarcest of the resources it uses.
        PlacementPolicy.BestFit => Math.Max(
            Math.Max(t.Resources.CpuMillis > 0 ? Fraction(n.FreeCpuMillis - t.Resources.CpuMillis, n.Capacity.CpuMillis) : 0,
                t.Resources.MemoryBytes > 0 ? Fraction(n.FreeMemoryBytes - t.Resources.MemoryBytes, n.Capacity.MemoryBytes) : 0),
            Math.Max(t.Resources.GpuCount > 0 ? Fraction(n.FreeGpus - t.Resources.GpuCount, n.Capacity.Gpus.Count) : 0,
                Fraction(n.FreeSlots - 1, n.Capacity.Slots))),
        PlacementPolicy.Spread => -FreeFraction(n),
        PlacementPolicy.BinPack => FreeFraction(n),
        _ => 0,
    };

    /// <summary>The mean free share of a node's resources.</summary>
    private static double FreeFraction(NodeActor n)
    {
        var parts = Fraction(n.FreeCpuMillis, n.Capacity.CpuMillis) + Fraction(n.FreeMemoryBytes, n.Capacity.MemoryBytes) + Fraction(n.FreeSlots, n.Capacity.Slots);
        return n.Capacity.Gpus.Count > 0 ? (parts + Fraction(n.FreeGpus, n.Capacity.Gpus.Count)) / 4 : parts / 3;
    }

    private static double Fraction(double part, double whole) => whole > 0 ? part / whole : 0;

    private static (double Cpu, double Memory, double Gpus, double Slots) Totals(IEnumerable<NodeActor> nodes)
    {
        double cpu = 0, memory = 0, gpus = 0, slots = 0;
        foreach (var n in nodes)
        {
            cpu += n.Capacity.CpuMillis;
            memory += n.Capacity.MemoryBytes;
            gpus += n.Capacity.Gpus.Count;
            slots += n.Capacity.Slots;
        }

        return (cpu, memory, gpus, slots);
    }

    /// <summary>Dominant resource fairness: a tenant's largest share of any one resource, over its weight.</summary>
    private static double Share(TenantUsage u, (double Cpu, double Memory, double Gpus, double Slots) total, double weight) =>
        Math.Max(Math.Max(Fraction(u.CpuMillis, total.Cpu), Fraction(u.MemoryBytes, total.Memory)), Math.Max(Fraction(u.Gpus, total.Gpus), Fraction(u.Tasks, total.Slots)))
        / (weight > 0 ? weight : 1);
}
