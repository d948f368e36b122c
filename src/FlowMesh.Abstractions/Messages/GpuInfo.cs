namespace FlowMesh.Abstractions;

/// <summary>One GPU of a node as nvidia-smi reports it (or as declared).</summary>
[GenerateSerializer, Immutable, Alias("fm.GpuInfo")]
public sealed record GpuInfo([property: Id(0)] int Index, [property: Id(1)] string Name, [property: Id(2)] long MemoryBytes);
