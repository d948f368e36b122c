namespace FlowMesh.Workflows;

/// <summary>A validated workflow: metadata plus its tasks in file order.</summary>
public sealed record WorkflowDefinition(
    string Name,
    string? Owner,
    string? Description,
    string? Kind,
    string SourceFile,
    WorkflowFormat Format,
    IReadOnlyList<TaskDefinition> Tasks);
