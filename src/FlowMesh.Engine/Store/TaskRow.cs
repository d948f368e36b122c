namespace FlowMesh.Engine.Store;

/// <summary>A task as stored; <see cref="Waiting"/> says why a ready task has not been placed yet.</summary>
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
    DateTimeOffset? FinishedAt,
    string? Waiting = null);
