namespace FlowMesh.Engine.States;

public enum WorkflowState
{
    Pending,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}
