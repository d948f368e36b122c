namespace FlowMesh.Abstractions;

/// <summary>
/// One workflow (keyed by its id): its DAG's readiness counters, conditions and references, the cancel cascade, and its
/// ordered event log, which is also its durable state (an activation replays it).
/// </summary>
public interface IWorkflowGrain : IGrainWithStringKey
{
    /// <summary>Stores the workflow and starts it; durable when it returns. A second submit of the same id changes nothing.</summary>
    Task<WorkflowSnapshot> SubmitAsync(WorkflowPlan plan);

    /// <summary>The workflow and its tasks; null when no workflow has this id.</summary>
    Task<WorkflowSnapshot?> GetAsync();

    /// <summary>Cancels what has not finished, running tasks included; returns the workflow's state afterwards.</summary>
    Task<WorkflowState> CancelAsync(string reason);

    /// <summary>
    /// Pauses a running workflow: what runs finishes (and its dependents become ready), but nothing new is placed until
    /// it is resumed. Returns the workflow's state (Paused; a paused workflow stays so). Throws
    /// <see cref="InvalidOperationException"/> for a workflow that is neither running nor paused, and
    /// <see cref="KeyNotFoundException"/> for an unknown id.
    /// </summary>
    Task<WorkflowState> PauseAsync();

    /// <summary>Resumes a paused workflow: its ready tasks queue again. Returns its state (Running; a running one stays so).</summary>
    Task<WorkflowState> ResumeAsync();

    /// <summary>Up to <paramref name="max"/> entries of the log after <paramref name="afterSeq"/>, in order.</summary>
    Task<WorkflowEvent[]> ReadEventsAsync(long afterSeq, int max);

    /// <summary>
    /// Re-syncs the tasks that are queued or running with their grains (which re-queue themselves and re-arm their lease
    /// checks): after a silo died, their activations and timers may have died with it.
    /// </summary>
    Task ReconcileAsync();

    /// <summary>A task grain says its task started an attempt on a node.</summary>
    Task TaskStartedAsync(int index, int attempt, string nodeId);

    /// <summary>
    /// A task grain says its attempt ended: a terminal state, or back to Ready for another attempt. Returns the task's
    /// state as the workflow now has it: a task grain that wanted another attempt and hears a terminal state (the
    /// workflow already recorded an outcome its own state lost in a crash) adopts it instead of running again.
    /// </summary>
    Task<TaskState> TaskEndedAsync(TaskEnd end);

    /// <summary>Placement notes why a ready task waits (written when the reason changes: a <c>task.waiting</c> event).</summary>
    Task TaskWaitingAsync(int index, int attempt, string reason);

    /// <summary>A GPU attempt was placed over its tenant's soft budget (a <c>task.over_budget</c> event, once per attempt).</summary>
    Task TaskOverBudgetAsync(int index, int attempt, string reason);

    /// <summary>Lines a task's attempt wrote; the task grain checked the attempt.</summary>
    Task AppendLogsAsync(int index, int attempt, LogEntry[] lines);
}
