namespace FlowMesh.Abstractions;

/// <summary>One entry of a workflow's ordered event log: <paramref name="Seq"/> is gap-free per workflow, from 1.</summary>
/// <param name="WorkflowId">The workflow the entry belongs to.</param>
/// <param name="Seq">Its place in the workflow's log; a watcher resumes after the last one it saw.</param>
/// <param name="At">When the grain that wrote it made the change.</param>
/// <param name="Kind">One of <see cref="EventKinds"/>.</param>
/// <param name="Task">The task it is about, or null for the workflow.</param>
/// <param name="Data">A JSON object whose fields depend on <paramref name="Kind"/>.</param>
[GenerateSerializer, Immutable, Alias("fm.WorkflowEvent")]
public sealed record WorkflowEvent(
    [property: Id(0)] string WorkflowId,
    [property: Id(1)] long Seq,
    [property: Id(2)] DateTimeOffset At,
    [property: Id(3)] string Kind,
    [property: Id(4)] string? Task,
    [property: Id(5)] string Data);
