namespace FlowMesh.Engine.Actors;

/// <summary>What a node has: CPU in millicores, memory in bytes, GPUs, task slots and the task types it runs.</summary>
public sealed record NodeCapacity(long CpuMillis, long MemoryBytes, IReadOnlyList<GpuDevice> Gpus, int Slots, IReadOnlyList<string> TaskTypes);
