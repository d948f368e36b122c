using FlowMesh.Abstractions;

namespace FlowMesh.Runtime.Grains;

/// <summary>An attempt a node grain handed its agent, kept until it ends so it can be sent again if the agent missed it.</summary>
internal sealed class NodeAssignment(WorkAssignment assignment, PlacedAttempt placed)
{
    public WorkAssignment Assignment { get; } = assignment;

    public PlacedAttempt Placed { get; } = placed;

    public DateTimeOffset SentAt { get; set; }
}
