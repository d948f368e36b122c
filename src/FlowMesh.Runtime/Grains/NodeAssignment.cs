using FlowMesh.Abstractions;

namespace FlowMesh.Runtime.Grains;

/// <summary>An attempt a node grain handed its agent, kept until it ends so it can be sent again if the agent missed it.</summary>
internal sealed class NodeAssignment(WorkAssignment assignment, PlacedAttempt placed)
{
    public WorkAssignment Assignment { get; } = assignment;

    public PlacedAttempt Placed { get; } = placed;

    public DateTimeOffset SentAt { get; set; }

    /// <summary>The agent has listed it as running: it got it, so it is never sent again.</summary>
    public bool Seen { get; set; }

    /// <summary>Since when a seen attempt is missing from the agent's list (it finished; its release is on its way).</summary>
    public DateTimeOffset? GoneSince { get; set; }
}
