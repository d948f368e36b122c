namespace FlowMesh.Abstractions;

/// <summary>Whether a node still holds an attempt, as its node grain sees it.</summary>
public enum LeaseStatus
{
    /// <summary>The node is alive and runs the attempt (or was just given it).</summary>
    Held,

    /// <summary>The node is silent past its lease, left, rejoined without the attempt, or never got it: run it again.</summary>
    Lost,
}
