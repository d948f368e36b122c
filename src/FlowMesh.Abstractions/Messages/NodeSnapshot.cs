namespace FlowMesh.Abstractions;

/// <summary>A node as its grain sees it.</summary>
[GenerateSerializer, Immutable, Alias("fm.NodeSnapshot")]
public sealed record NodeSnapshot(
    [property: Id(0)] string NodeId,
    [property: Id(1)] NodeState State,
    [property: Id(2)] long Epoch,
    [property: Id(3)] bool Cordoned,
    [property: Id(4)] DateTimeOffset LastHeartbeat,
    [property: Id(5)] NodeRegistration? Registration,
    [property: Id(6)] RunningAttempt[] Running);
