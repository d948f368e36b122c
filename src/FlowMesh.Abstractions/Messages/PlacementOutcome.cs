namespace FlowMesh.Abstractions;

/// <summary>What a task grain said to a placement.</summary>
public enum PlacementOutcome
{
    /// <summary>The task now runs there under this attempt.</summary>
    Taken,

    /// <summary>The task no longer waits for this attempt (cancelled, placed already, a newer attempt): give the room back.</summary>
    Refused,
}
