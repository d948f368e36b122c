using System.Text.Json.Nodes;

namespace FlowMesh.Workflows;

/// <summary>One expanded task of a workflow: its name, type, edges and effective (merged) spec.</summary>
public sealed record TaskDefinition(
    string Name,
    string TaskType,
    IReadOnlyList<string> DependsOn,
    JsonObject Spec,
    ResourceRequest Resources,
    TaskCondition? Condition);
