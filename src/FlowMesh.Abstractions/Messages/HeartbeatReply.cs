namespace FlowMesh.Abstractions;

/// <summary>
/// The answer to a heartbeat. <paramref name="Known"/> false: the node's epoch is not current (the node grain restarted
/// without it, or the node was declared lost) and the agent registers again. <paramref name="Stop"/>: attempts the
/// agent runs that no longer hold a lease.
/// </summary>
[GenerateSerializer, Immutable, Alias("fm.HeartbeatReply")]
public sealed record HeartbeatReply([property: Id(0)] bool Known, [property: Id(1)] RunningAttempt[] Stop);
