namespace FlowMesh.Workflows;

/// <summary>GPU ask: a type prefix (<c>any</c> matches every model), a count and per-GPU memory.</summary>
public sealed record GpuRequest(string Type, int Count, long MemoryBytes);
