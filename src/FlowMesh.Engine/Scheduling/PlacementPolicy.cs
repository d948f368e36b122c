namespace FlowMesh.Engine.Scheduling;

/// <summary>How the scheduler chooses among the nodes that could take a task now.</summary>
public enum PlacementPolicy
{
    /// <summary>The node the task fills most tightly (least left over in its scarcest resource): big holes stay for big tasks.</summary>
    BestFit,

    /// <summary>The least loaded node: work spreads out, so one node's loss hits fewer tasks.</summary>
    Spread,

    /// <summary>The most loaded node that still fits: work packs onto few nodes, so others stay empty (to scale down, or for large tasks).</summary>
    BinPack,
}
