using FlowMesh.Engine.Actors;

namespace FlowMesh.Engine.Scheduling;

/// <summary>What the scheduler asks of whoever owns the tasks (the engine, or a simulation in tests).</summary>
internal interface ISchedulingHost
{
    /// <summary>False once the task left the ready state or its workflow stopped dispatching (ended or paused): it is dropped.</summary>
    bool IsQueued(QueuedTask entry);

    /// <summary>A tenant's relative share of the cluster (1 by default).</summary>
    double WeightOf(string tenant);

    /// <summary>Why none of the tenant's tasks may start now (its running-task quota), or null.</summary>
    string? TenantHold(string tenant);

    /// <summary>Why this task may not start now although a node may have room (GPU quota, budget), or null.</summary>
    string? Hold(QueuedTask entry);

    /// <summary>Why the task may never start whatever the cluster (it asks for more than its tenant's quota), or null.</summary>
    string? NeverAllowed(QueuedTask entry);

    /// <summary>Notes why a task waits (called often with the same reason: the host drops repeats).</summary>
    void Waiting(QueuedTask entry, string reason);

    /// <summary>Fails the task with <paramref name="reason"/>; it has left the queue.</summary>
    void Reject(QueuedTask entry, string reason);

    /// <summary>No node that is up could ever run the task (<paramref name="why"/>); it has left the queue, and the host fails it or keeps it for a node to join.</summary>
    void Unplaceable(QueuedTask entry, string why);

    /// <summary>The task got these GPUs on this node; false when it could not be started after all (the reservation is then given back).</summary>
    bool Dispatch(QueuedTask entry, NodeActor node, int[] gpus);
}
