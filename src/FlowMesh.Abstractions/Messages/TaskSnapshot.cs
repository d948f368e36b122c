namespace FlowMesh.Abstractions;

/// <summary>A task as its workflow sees it.</summary>
[GenerateSerializer, Immutable, Alias("fm.TaskSnapshot")]
public sealed record TaskSnapshot(
    [property: Id(0)] int Index,
    [property: Id(1)] string Name,
    [property: Id(2)] string TaskType,
    [property: Id(3)] TaskState State,
    [property: Id(4)] int Attempt,
    [property: Id(5)] string? NodeId,
    [property: Id(6)] string? Error);
