namespace FlowMesh.Abstractions;

/// <summary>A placed attempt as a node agent receives it. <paramref name="Attempt"/> is the fencing epoch its report must carry.</summary>
[GenerateSerializer, Immutable, Alias("fm.WorkAssignment")]
public sealed record WorkAssignment(
    [property: Id(0)] TaskWork Work,
    [property: Id(1)] int Attempt,
    [property: Id(2)] string NodeId,
    [property: Id(3)] int[] Gpus)
{
    /// <summary>The W3C trace context of this attempt's span, given to the executor as TRACEPARENT.</summary>
    [Id(4)]
    public string? TraceParent { get; init; }
}
