namespace FlowMesh.Client.Models;

/// <summary>One GPU of a node.</summary>
/// <param name="Index">Device index.</param>
/// <param name="Name">Model, such as nvidia-h100-80gb-hbm3.</param>
/// <param name="MemoryBytes">Device memory.</param>
public sealed record GpuInfo(int Index, string Name, long MemoryBytes);
