namespace FlowMesh.Abstractions;

/// <summary>The three state machines of the fabric (documented in docs/ARCHITECTURE.md).</summary>
public static class StateMachines
{
    public static StateMachine<TaskState> Task { get; } = new("task", new Dictionary<TaskState, TaskState[]>
    {
        [TaskState.Pending] = [TaskState.Ready, TaskState.Skipped, TaskState.Failed, TaskState.Cancelled],
        [TaskState.Ready] = [TaskState.Running, TaskState.Failed, TaskState.Cancelled],

        // Running -> Ready: the lease was lost (node died) and the task goes back to the queue.
        [TaskState.Running] = [TaskState.Succeeded, TaskState.Failed, TaskState.Ready, TaskState.Cancelled],
        [TaskState.Succeeded] = [],

        // Failed/Cancelled -> Pending: an explicit retry of a finished workflow reopens what did not succeed.
        [TaskState.Failed] = [TaskState.Pending],
        [TaskState.Skipped] = [],
        [TaskState.Cancelled] = [TaskState.Pending],
    }, new HashSet<TaskState> { TaskState.Succeeded, TaskState.Failed, TaskState.Skipped, TaskState.Cancelled });

    public static StateMachine<WorkflowState> Workflow { get; } = new("workflow", new Dictionary<WorkflowState, WorkflowState[]>
    {
        [WorkflowState.Pending] = [WorkflowState.Running, WorkflowState.Cancelled],
        [WorkflowState.Running] = [WorkflowState.Succeeded, WorkflowState.Failed, WorkflowState.Cancelled, WorkflowState.Paused],

        // A paused workflow still ends when its last running task does (or when cancelled).
        [WorkflowState.Paused] = [WorkflowState.Running, WorkflowState.Succeeded, WorkflowState.Failed, WorkflowState.Cancelled],
        [WorkflowState.Succeeded] = [],
        [WorkflowState.Failed] = [WorkflowState.Running],
        [WorkflowState.Cancelled] = [WorkflowState.Running],
    }, new HashSet<WorkflowState> { WorkflowState.Succeeded, WorkflowState.Failed, WorkflowState.Cancelled });

    public static StateMachine<NodeState> Node { get; } = new("node", new Dictionary<NodeState, NodeState[]>
    {
        [NodeState.Up] = [NodeState.Draining, NodeState.Lost, NodeState.Left],
        [NodeState.Draining] = [NodeState.Lost, NodeState.Left],

        // A lost node that heartbeats again rejoins; its old leases stay void (their epoch is past).
        [NodeState.Lost] = [NodeState.Up],
        [NodeState.Left] = [NodeState.Up],
    }, new HashSet<NodeState> { NodeState.Left });
}
