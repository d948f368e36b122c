namespace FlowMesh.Abstractions;

/// <summary>
/// The kinds of entry in a workflow's ordered event log, by their wire names (the API, SSE, the CLI and the dashboard
/// read these). Every layer names a kind through this type, never through a literal of its own.
/// </summary>
public static class EventKinds
{
    public const string WorkflowSubmitted = "workflow.submitted";
    public const string WorkflowState = "workflow.state";
    public const string WorkflowPaused = "workflow.paused";
    public const string WorkflowResumed = "workflow.resumed";
    public const string WorkflowUnpaused = "workflow.unpaused";
    public const string WorkflowRetried = "workflow.retried";
    public const string TaskState = "task.state";
    public const string TaskLog = "task.log";
    public const string TaskResult = "task.result";
    public const string TaskWaiting = "task.waiting";
    public const string TaskCondition = "task.condition";
    public const string TaskAdopted = "task.adopted";
    public const string TaskBatched = "task.batched";
    public const string TaskCached = "task.cached";
    public const string TaskFallback = "task.fallback";
    public const string TaskMapped = "task.mapped";
    public const string TaskOverBudget = "task.over_budget";
    public const string TaskSignal = "task.signal";

    /// <summary>The events the runtime's grains write; a watcher may see older kinds from logs written before.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        WorkflowSubmitted, WorkflowState, WorkflowPaused, WorkflowResumed, WorkflowUnpaused, WorkflowRetried,
        TaskState, TaskLog, TaskResult, TaskWaiting, TaskCondition, TaskAdopted, TaskBatched, TaskCached, TaskFallback,
        TaskMapped, TaskOverBudget, TaskSignal,
    ];
}
