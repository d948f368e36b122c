namespace FlowMesh.Abstractions;

/// <summary>A node's registration and what it runs, as its node grain tells the placement grain (on join, change and heartbeat).</summary>
[GenerateSerializer, Immutable, Alias("fm.NodeAccount")]
public sealed record NodeAccount(
    [property: Id(0)] string NodeId,
    [property: Id(1)] long Epoch,
    [property: Id(2)] NodeState State,
    [property: Id(3)] bool Cordoned,
    [property: Id(4)] NodeRegistration Registration,
    [property: Id(5)] PlacedAttempt[] Placed);
