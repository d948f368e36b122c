using System.Text.Json.Nodes;
using FlowMesh.Workflows;

namespace FlowMesh.Engine.Executors;

/// <summary>Everything an executor gets: the resolved spec, upstream results and directories, its GPUs and a deadline.</summary>
public sealed record ExecutionRequest(
    string WorkflowId,
    string TaskName,
    string TaskType,
    int Attempt,
    JsonObject Spec,
    IReadOnlyDictionary<string, JsonNode?> UpstreamResults,
    IReadOnlyDictionary<string, string> UpstreamDirectories,
    string OutputDirectory,
    string WorkDirectory,
    IReadOnlyList<int> GpuIndices)
{
    /// <summary>What the task asked for; container executors turn it into limits.</summary>
    public ResourceRequest Resources { get; init; } = ResourceRequest.None;

    /// <summary>The W3C trace context of this attempt's span, given to the task as TRACEPARENT; null when tracing is off.</summary>
    public string? TraceParent { get; init; }

    /// <summary>Secret values given to the task (in its env): replaced by [redacted] in its logs, result and error.</summary>
    public IReadOnlyList<string> Redact { get; init; } = [];
}
