namespace FlowMesh.Engine.Actors;

/// <summary>What a node has: CPU in millicores, memory in bytes, GPUs, task slots and the task types it runs.</summary>
/// <remarks>
/// <see cref="Labels"/> are free key/value capabilities; <see cref="WarmModels"/> are models a node holds loaded;
/// <see cref="CachedModels"/> are models whose weights are on its disk (its Hugging Face hub cache), so loading them
/// downloads nothing.
/// </remarks>
public sealed record NodeCapacity(long CpuMillis, long MemoryBytes, IReadOnlyList<GpuDevice> Gpus, int Slots, IReadOnlyList<string> TaskTypes,
    IReadOnlyDictionary<string, string>? Labels = null, IReadOnlyList<string>? WarmModels = null, IReadOnlyList<string>? CachedModels = null);
