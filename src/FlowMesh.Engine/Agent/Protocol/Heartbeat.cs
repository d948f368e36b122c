namespace FlowMesh.Engine.Agent.Protocol;

/// <summary>Renews the leases of the tasks listed; <see cref="Draining"/> asks for no new work.</summary>
public sealed record Heartbeat(long Epoch, IReadOnlyList<TaskLease> Running, bool Draining = false);
