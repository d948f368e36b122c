namespace FlowMesh.Abstractions;

public enum WorkflowState
{
    Pending,
    Running,

    /// <summary>Places nothing new until resumed; what runs finishes.</summary>
    Paused,
    Succeeded,
    Failed,
    Cancelled,
}
