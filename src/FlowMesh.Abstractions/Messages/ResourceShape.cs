namespace FlowMesh.Abstractions;

/// <summary>What a task asks of a node; zero means "not asked for". <paramref name="GpuType"/> is a prefix, or <c>any</c>.</summary>
[GenerateSerializer, Immutable, Alias("fm.ResourceShape")]
public sealed record ResourceShape(
    [property: Id(0)] long CpuMillis,
    [property: Id(1)] long MemoryBytes,
    [property: Id(2)] int GpuCount,
    [property: Id(3)] string? GpuType,
    [property: Id(4)] long GpuMemoryBytes)
{
    public static ResourceShape None { get; } = new(0, 0, 0, null, 0);
}
