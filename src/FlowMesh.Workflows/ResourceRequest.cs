namespace FlowMesh.Workflows;

/// <summary>What a task asks of a node. Zero means "not asked for".</summary>
public sealed record ResourceRequest(long CpuMillis, long MemoryBytes, GpuRequest? Gpu)
{
    public static ResourceRequest None { get; } = new(0, 0, null);

    public int GpuCount => Gpu?.Count ?? 0;
}
