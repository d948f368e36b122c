namespace FlowMesh.Engine.Agent.Protocol;

/// <summary>
/// Renews the leases of the tasks listed; <see cref="Draining"/> asks for no new work; <see cref="WarmModels"/> (when
/// sent) is what the node now holds loaded, so tasks on those models prefer it.
/// </summary>
public sealed record Heartbeat(long Epoch, IReadOnlyList<TaskLease> Running, bool Draining = false, IReadOnlyList<string>? WarmModels = null);
