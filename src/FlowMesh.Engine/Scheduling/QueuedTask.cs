using FlowMesh.Engine.Actors;

namespace FlowMesh.Engine.Scheduling;

/// <summary>
/// A ready task in its tenant's queue. <see cref="Key"/> orders the queue: when it became ready, earlier by one
/// <see cref="SchedulerOptions.AgingInterval"/> per priority point. Comparing keys is comparing priorities aged to the
/// same moment, so the order never has to be recomputed as time passes.
/// </summary>
internal sealed class QueuedTask(WorkflowActor workflow, TaskActor task, long key, long seq, DateTimeOffset since)
{
    public WorkflowActor Workflow { get; } = workflow;

    public TaskActor Task { get; } = task;

    public long Key { get; } = key;

    public long Seq { get; } = seq;

    /// <summary>When it joined the queue: how long it has waited, for starvation.</summary>
    public DateTimeOffset Since { get; } = since;

    public string Tenant => Workflow.Tenant;
}
