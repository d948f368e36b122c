namespace FlowMesh.Client.Models;

/// <summary>One billed task attempt.</summary>
/// <param name="WorkflowId">The workflow.</param>
/// <param name="Task">The task.</param>
/// <param name="Attempt">The attempt.</param>
/// <param name="Node">Where it ran.</param>
/// <param name="State">How it ended.</param>
/// <param name="Gpus">GPUs held.</param>
/// <param name="DurationMs">Wall time in milliseconds.</param>
/// <param name="GpuSeconds">GPU-seconds.</param>
/// <param name="FinishedAt">When it ended.</param>
public sealed record UsageInfo(string WorkflowId, string Task, int Attempt, string Node, string State, int Gpus, long DurationMs, double GpuSeconds, DateTimeOffset FinishedAt);
