using FlowMesh.Abstractions;

namespace FlowMesh.Runtime.Placement;

/// <summary>An attempt no node that is up could ever run, waiting for one to join (or its timeout).</summary>
internal sealed record Parked(QueuedWork Work, DateTimeOffset Since, string Why);
