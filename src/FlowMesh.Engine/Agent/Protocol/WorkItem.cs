using System.Text.Json.Nodes;
using FlowMesh.Workflows;

namespace FlowMesh.Engine.Agent.Protocol;

/// <summary>A task placed on a node: its resolved spec, the results of its upstream stages and the GPUs it was given.</summary>
public sealed record WorkItem(
    string WorkflowId,
    int Index,
    string TaskName,
    string TaskType,
    int Attempt,
    JsonObject Spec,
    IReadOnlyDictionary<string, JsonNode?> UpstreamResults,
    IReadOnlyList<int> Gpus,
    ResourceRequest Resources)
{
    /// <summary>The W3C trace context of the attempt's span on the server, passed on to the executor.</summary>
    public string? TraceParent { get; init; }

    /// <summary>Secret values the task was given: the node replaces them in what it writes and reports.</summary>
    public IReadOnlyList<string>? Redact { get; init; }
}
