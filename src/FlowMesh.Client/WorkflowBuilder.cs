using System.Text.Json.Nodes;

namespace FlowMesh.Client;

/// <summary>
/// Builds a FlowMesh workflow in code (a <c>graph</c> of named tasks with explicit dependencies) for
/// <see cref="FlowMeshClient.SubmitAsync(WorkflowBuilder, CancellationToken)"/>.
/// </summary>
/// <param name="name">The workflow's name.</param>
public sealed class WorkflowBuilder(string name)
{
    private readonly JsonArray _nodes = [];

    /// <summary>The workflow's name.</summary>
    public string Name { get; } = name;

    /// <summary>Adds a task.</summary>
    /// <param name="taskName">Unique name in this workflow.</param>
    /// <param name="taskType">echo, python, inference, ...</param>
    /// <param name="spec">The task's spec fields (as in YAML, without taskType).</param>
    /// <param name="dependsOn">Tasks that must finish first.</param>
    public WorkflowBuilder Task(string taskName, string taskType, JsonObject? spec = null, params string[] dependsOn)
    {
        var s = (JsonObject?)spec?.DeepClone() ?? [];
        s["taskType"] = taskType;
        var node = new JsonObject { ["name"] = taskName, ["spec"] = s };
        if (dependsOn.Length > 0)
        {
            node["dependsOn"] = new JsonArray([.. dependsOn.Select(d => (JsonNode)d)]);
        }

        _nodes.Add(node);
        return this;
    }

    /// <summary>An echo task that outputs <paramref name="items"/>.</summary>
    public WorkflowBuilder Echo(string taskName, IEnumerable<string> items, params string[] dependsOn) =>
        Task(taskName, "echo", new JsonObject { ["data"] = new JsonObject { ["type"] = "list", ["items"] = new JsonArray([.. items.Select(i => (JsonNode)i)]) } }, dependsOn);

    /// <summary>The workflow as FlowMesh JSON.</summary>
    public string ToJson() => new JsonObject
    {
        ["apiVersion"] = "flowmesh/v1",
        ["kind"] = "Workflow",
        ["metadata"] = new JsonObject { ["name"] = Name },
        ["spec"] = new JsonObject { ["graph"] = new JsonObject { ["nodes"] = _nodes.DeepClone() } },
    }.ToJsonString();
}
