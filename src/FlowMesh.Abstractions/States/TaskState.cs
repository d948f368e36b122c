namespace FlowMesh.Abstractions;

/// <summary>Life of a task. Succeeded, Failed, Skipped and Cancelled are terminal.</summary>
public enum TaskState
{
    /// <summary>Waiting for dependencies.</summary>
    Pending,

    /// <summary>Dependencies done and condition met: waiting for a node.</summary>
    Ready,

    /// <summary>Placed on a node under a lease; the executor runs.</summary>
    Running,
    Succeeded,
    Failed,

    /// <summary>Its condition was not met; finished without being dispatched.</summary>
    Skipped,
    Cancelled,
}
