namespace FlowMesh.Engine.Store;

/// <summary>A task as stored; <see cref="Waiting"/> says why a ready task has not been placed yet; <see cref="Gpus"/> (JSON) which GPUs a running task holds.</summary>
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
    string? Waiting = null,
    string? Gpus = null)
{
    /// <summary>True while <paramref name="nodeId"/> runs attempt <paramref name="attempt"/> of this task (it holds the lease).</summary>
    public bool IsHeldBy(string nodeId, int attempt) => State == "Running" && Attempt == attempt && NodeId == nodeId;
}
