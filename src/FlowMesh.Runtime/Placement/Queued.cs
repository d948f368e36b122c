using FlowMesh.Abstractions;
using FlowMesh.Engine.Scheduling;

namespace FlowMesh.Runtime.Placement;

/// <summary>A queued attempt and its entry in the scheduler's tenant queue.</summary>
internal sealed record Queued(QueuedWork Work, QueuedTask Entry);
