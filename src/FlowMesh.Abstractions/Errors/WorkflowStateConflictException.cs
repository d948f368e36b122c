namespace FlowMesh.Abstractions;

/// <summary>The workflow is not in a state that allows the request (pausing a finished workflow, resuming a running one).</summary>
[GenerateSerializer, Alias("fm.WorkflowStateConflictException")]
public sealed class WorkflowStateConflictException : Exception
{
    public WorkflowStateConflictException(string workflowId, WorkflowState state, string message)
        : base(message)
    {
        WorkflowId = workflowId;
        State = state;
    }

    [Id(0)]
    public string WorkflowId { get; private set; }

    [Id(1)]
    public WorkflowState State { get; private set; }

    public string Code => "workflow_state_conflict";
}
