namespace FlowMesh.Abstractions;

/// <summary>The answer to a registration: the node's new epoch (heartbeats name it) and how often to heartbeat.</summary>
[GenerateSerializer, Immutable, Alias("fm.NodeWelcome")]
public sealed record NodeWelcome([property: Id(0)] long Epoch, [property: Id(1)] TimeSpan HeartbeatInterval, [property: Id(2)] TimeSpan Lease);
