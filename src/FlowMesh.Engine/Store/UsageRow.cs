namespace FlowMesh.Engine.Store;

/// <summary>One finished attempt of a task on a node: what a usage sink bills.</summary>
public sealed record UsageRow(
    string WorkflowId,
    string Task,
    int Attempt,
    string TenantId,
    string NodeId,
    string State,
    int Gpus,
    DateTimeOffset StartedAt,
    DateTimeOffset FinishedAt,
    long DurationMs,
    double GpuSeconds);
