namespace FlowMesh.Abstractions;

/// <summary>
/// Placement for a node pool (key 0 is the whole cluster): one activation holds the ready queues and every node's free
/// resources, and places tasks by weighted fair share with aging and backfill. It replaces an elected leader: Orleans
/// keeps exactly one activation, and node and task grains rebuild its memory if it moves.
/// </summary>
public interface IPlacementGrain : IGrainWithIntegerKey
{
    /// <summary>Queues a ready attempt; a repeat of a queued attempt changes nothing.</summary>
    Task EnqueueAsync(QueuedWork work);

    /// <summary>A node joined, changed (cordon, drain) or heartbeats; a node it does not know is rebuilt from <see cref="NodeAccount.Placed"/>.</summary>
    Task NodeChangedAsync(NodeAccount account);

    /// <summary>An attempt placed on <paramref name="nodeId"/> ended: its room is free again.</summary>
    Task ReleaseAsync(string nodeId, TaskRef task, int attempt);

    /// <summary>How many attempts wait, per tenant.</summary>
    Task<Dictionary<string, int>> QueuedAsync();

    /// <summary>Why each of the workflow's queued tasks waits (a tenant quota or budget, no room, no node), by task index.</summary>
    Task<Dictionary<int, string>> WaitingAsync(string workflowId);
}
