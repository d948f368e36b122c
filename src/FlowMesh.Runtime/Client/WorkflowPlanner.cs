using System.Text.Json.Nodes;
using FlowMesh.Abstractions;
using FlowMesh.Workflows;

namespace FlowMesh.Runtime.Client;

/// <summary>Turns a parsed, validated workflow into the plan its workflow grain stores.</summary>
public static class WorkflowPlanner
{
    public static WorkflowPlan Plan(WorkflowDefinition definition, string tenant, string? submitter)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var index = definition.Tasks.Select((t, i) => (t.Name, i)).ToDictionary(x => x.Name, x => x.i, StringComparer.Ordinal);
        var tasks = definition.Tasks.Select(t => new TaskPlan(
            t.Name,
            t.TaskType,
            t.Spec.ToJsonString(),
            [.. t.DependsOn.Select(d => index[d])],
            Shape(t.Resources),
            t.Condition is { } c ? new ConditionPlan(c.Node, c.Field, c.EqualsValue) : null)).ToArray();
        return new WorkflowPlan(definition.Name, tenant, submitter, definition.SourceFile, tasks);
    }

    /// <summary>A new workflow id, in the form the rest of FlowMesh shows: <c>wf-YYYYMMDD-HHMMSS-xxxxxxxx</c>.</summary>
    public static string NewId(TimeProvider time) => $"wf-{time.GetUtcNow():yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..8]}";

    public static ResourceShape Shape(ResourceRequest r) =>
        r == ResourceRequest.None ? ResourceShape.None : new ResourceShape(r.CpuMillis, r.MemoryBytes, r.GpuCount, r.Gpu?.Type, r.Gpu?.MemoryBytes ?? 0);

    /// <summary>The inverse of <see cref="Shape"/>: what the scheduler and executors take.</summary>
    public static ResourceRequest Request(ResourceShape r) =>
        new(r.CpuMillis, r.MemoryBytes, r.GpuCount > 0 ? new GpuRequest(r.GpuType ?? "any", r.GpuCount, r.GpuMemoryBytes) : null);

    /// <summary>The spec's own JSON, for plans built by hand (tests, host apps without the parser).</summary>
    public static string Spec(JsonObject spec) => spec.ToJsonString();
}
