namespace FlowMesh.Engine.Agent.Protocol;

/// <summary>
/// The server's answer to a registration: the node's epoch (reports from an older epoch are refused), how often to
/// heartbeat, how long a lease lasts without one, and which of the tasks it reported it must stop.
/// </summary>
public sealed record NodeWelcome(string NodeId, long Epoch, double HeartbeatSeconds, double LeaseSeconds, IReadOnlyList<TaskLease> Cancel);
