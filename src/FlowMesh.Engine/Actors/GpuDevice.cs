namespace FlowMesh.Engine.Actors;

/// <summary>One GPU of a node as nvidia-smi reports it (or as declared in configuration).</summary>
public sealed record GpuDevice(int Index, string Name, long MemoryBytes);
