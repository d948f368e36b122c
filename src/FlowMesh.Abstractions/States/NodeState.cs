namespace FlowMesh.Abstractions;

public enum NodeState
{
    /// <summary>Heartbeating and taking work.</summary>
    Up,

    /// <summary>Finishing what it holds, taking nothing new.</summary>
    Draining,

    /// <summary>Stopped heartbeating (or its process died); its leases are void.</summary>
    Lost,

    /// <summary>Left cleanly.</summary>
    Left,
}
