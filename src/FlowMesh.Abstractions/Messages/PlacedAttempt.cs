namespace FlowMesh.Abstractions;

/// <summary>An attempt holding room on a node: what it took, so a placement grain that starts afresh can rebuild the node's account.</summary>
[GenerateSerializer, Immutable, Alias("fm.PlacedAttempt")]
public sealed record PlacedAttempt(
    [property: Id(0)] TaskRef Task,
    [property: Id(1)] int Attempt,
    [property: Id(2)] string Tenant,
    [property: Id(3)] ResourceShape Resources,
    [property: Id(4)] int[] Gpus);
