namespace FlowMesh.Server.Extensibility;

/// <summary>One finished task attempt: where it ran, for how long and on how many GPUs.</summary>
/// <param name="Tenant">The tenant billed.</param>
/// <param name="WorkflowId">The workflow.</param>
/// <param name="Task">The task name.</param>
/// <param name="Attempt">Attempt number, from 1.</param>
/// <param name="Node">The node it ran on.</param>
/// <param name="State">How it ended: Succeeded, Failed or Cancelled.</param>
/// <param name="Gpus">GPUs it held.</param>
/// <param name="StartedAt">When it was placed.</param>
/// <param name="FinishedAt">When it ended.</param>
/// <param name="Duration">Wall time on the node.</param>
/// <param name="GpuSeconds">Gpus times duration in seconds.</param>
public sealed record UsageRecord(
    string Tenant,
    string WorkflowId,
    string Task,
    int Attempt,
    string Node,
    string State,
    int Gpus,
    DateTimeOffset StartedAt,
    DateTimeOffset FinishedAt,
    TimeSpan Duration,
    double GpuSeconds);
