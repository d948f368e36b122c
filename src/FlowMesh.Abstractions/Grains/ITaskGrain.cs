namespace FlowMesh.Abstractions;

/// <summary>
/// One task (keyed by <see cref="TaskRef.Key"/>): its attempts (the fencing epoch), where it runs, its retries with
/// backoff, and the one place where a node's report is accepted or refused as stale.
/// </summary>
public interface ITaskGrain : IGrainWithStringKey
{
    /// <summary>Its dependencies are done: queue <paramref name="work"/> for a node. Idempotent.</summary>
    Task ReadyAsync(TaskWork work);

    /// <summary>
    /// The workflow is paused (its log entry <paramref name="pauseSeq"/>): place nothing and stop re-queueing until
    /// <see cref="UnholdAsync"/> with a later entry. A task without work takes <paramref name="work"/> (it became ready
    /// while paused) but does not queue it. Durable; a call older than the last hold or unhold changes nothing.
    /// </summary>
    Task HoldAsync(TaskWork work, long pauseSeq);

    /// <summary>The workflow resumed (its log entry <paramref name="resumeSeq"/>): drop the hold and queue the task if it is ready.</summary>
    Task UnholdAsync(TaskWork work, long resumeSeq);

    /// <summary>The placement grain reserved room for this attempt on a node.</summary>
    Task<PlacementOutcome> PlaceAsync(int attempt, string nodeId, int[] gpus);

    /// <summary>A node reports how an attempt ended.</summary>
    Task<ReportOutcome> ReportAsync(TaskReport report);

    /// <summary>Lines an attempt wrote; dropped unless the node holds that attempt.</summary>
    Task<ReportOutcome> LogAsync(string nodeId, int attempt, LogEntry[] lines);

    /// <summary>No node can run the queued attempt (<paramref name="reason"/>): the task fails.</summary>
    Task RejectAsync(int attempt, string reason);

    /// <summary>Stops the task where it is (running on a node, queued, or waiting for a retry).</summary>
    Task CancelAsync(string reason);

    /// <summary>Where the task stands; also re-queues a ready task and re-arms its timers (after a restart).</summary>
    Task<TaskSnapshot> SyncAsync();
}
