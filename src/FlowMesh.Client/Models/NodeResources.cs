namespace FlowMesh.Client.Models;

/// <summary>An amount of node resources.</summary>
/// <param name="Cpus">CPUs (fractional).</param>
/// <param name="MemoryBytes">Memory in bytes.</param>
/// <param name="Slots">Task slots.</param>
/// <param name="Gpus">GPUs by index and model.</param>
/// <param name="TaskTypes">Task types it can run (capacity only).</param>
public sealed record NodeResources(double Cpus, long MemoryBytes, int Slots, IReadOnlyList<GpuInfo> Gpus, IReadOnlyList<string> TaskTypes);
