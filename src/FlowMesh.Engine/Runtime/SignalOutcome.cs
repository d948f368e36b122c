namespace FlowMesh.Engine.Runtime;

/// <summary>What became of a signal to an approval gate.</summary>
public enum SignalOutcome
{
    /// <summary>The gate was open and is now decided.</summary>
    Accepted,

    /// <summary>The same decision already closed this gate: nothing changed (signals are idempotent).</summary>
    Duplicate,

    /// <summary>This gate was closed otherwise (decided the other way, cancelled, timed out).</summary>
    Conflict,

    /// <summary>No such open or closed gate: unknown workflow or task, not an approval, or a gate since reopened.</summary>
    Stale,
}
