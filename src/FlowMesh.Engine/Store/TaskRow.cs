namespace FlowMesh.Engine.Store;

public sealed record TaskRow(
    string WorkflowId,
    int Index,
    string Name,
    string TaskType,
    string State,
    long Version,
    string Spec,
    string Deps,
    string Resources,
    int Attempt,
    string? NodeId,
    string? Result,
    string? Error,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt);
