namespace FlowMesh.Engine.Agent.Protocol;

/// <summary>Tasks the node must stop: they were cancelled, or their lease passed to another attempt.</summary>
public sealed record HeartbeatReply(IReadOnlyList<TaskLease> Cancel);
