namespace FlowMesh.Abstractions;

/// <summary>
/// One node (keyed by node id): its registration and epoch, liveness from heartbeats, cordon and drain, and what runs
/// there. It hands assignments to its agent through the agent's observer.
/// </summary>
public interface INodeGrain : IGrainWithStringKey
{
    /// <summary>Joins (or rejoins) the node; each registration bumps its epoch.</summary>
    Task<NodeWelcome> RegisterAsync(NodeRegistration registration, INodeAgent agent);

    /// <summary>The node is alive and runs <paramref name="running"/>.</summary>
    Task<HeartbeatReply> HeartbeatAsync(long epoch, RunningAttempt[] running);

    /// <summary>The node leaves cleanly; what it ran is lost to it.</summary>
    Task LeaveAsync(long epoch);

    /// <summary>A task grain gives the node an attempt to run.</summary>
    Task AssignAsync(WorkAssignment assignment, PlacedAttempt placed);

    /// <summary>The attempt ended (reported, cancelled, requeued): the node no longer holds it.</summary>
    Task ReleaseAsync(TaskRef task, int attempt, bool stop);

    /// <summary>Whether the node still holds this attempt (the task grain's lease check).</summary>
    Task<LeaseStatus> CheckLeaseAsync(TaskRef task, int attempt);

    /// <summary>A cordoned node keeps what it runs and takes nothing new.</summary>
    Task SetCordonAsync(bool cordoned);

    Task<NodeSnapshot> GetAsync();
}
