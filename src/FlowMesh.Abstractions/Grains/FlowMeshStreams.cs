namespace FlowMesh.Abstractions;

/// <summary>The Orleans streams the runtime publishes: each workflow's events (items are <see cref="WorkflowEvent"/>) on a stream of namespace <see cref="WorkflowEvents"/> keyed by its id.</summary>
public static class FlowMeshStreams
{
    /// <summary>The stream provider's name, on silos and clients.</summary>
    public const string Provider = "flowmesh";

    /// <summary>The namespace of workflow event streams.</summary>
    public const string WorkflowEvents = "workflow-events";
}
