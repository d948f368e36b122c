using FlowMesh.Engine.Agent.Protocol;

namespace FlowMesh.Engine.Agent;

/// <summary>
/// The server's side of one remote node's long poll: the engine loop queues work and stop orders after commit, and the
/// node's pending poll is woken at once (push), so nothing waits on a sleep loop. One link lives per node epoch.
/// </summary>
internal sealed class RemoteNodeLink(string nodeId, long epoch)
{
    private readonly Lock _gate = new();
    private readonly List<WorkItem> _work = [];
    private readonly List<TaskLease> _cancel = [];
    private TaskCompletionSource _signal = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string NodeId { get; } = nodeId;

    public long Epoch { get; } = epoch;

    public void Deliver(WorkItem item)
    {
        lock (_gate)
        {
            _work.Add(item);
            _signal.TrySetResult();
        }
    }

    public void Cancel(TaskLease lease)
    {
        lock (_gate)
        {
            _work.RemoveAll(w => w.WorkflowId == lease.WorkflowId && w.Index == lease.Index && w.Attempt == lease.Attempt);
            _cancel.Add(lease);
            _signal.TrySetResult();
        }
    }

    /// <summary>Wakes a pending poll with an empty answer, so a node that was replaced or removed hears of it.</summary>
    public void Close()
    {
        lock (_gate)
        {
            _signal.TrySetResult();
        }
    }

    /// <summary>Returns what is queued, waiting up to <paramref name="wait"/> for something to arrive.</summary>
    public async Task<WorkBatch> TakeAsync(TimeSpan wait, TimeProvider time, CancellationToken cancellationToken)
    {
        Task signal;
        lock (_gate)
        {
            if (_work.Count > 0 || _cancel.Count > 0)
            {
                return Drain();
            }

            signal = _signal.Task;
        }

        try
        {
            await signal.WaitAsync(wait, time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }

        lock (_gate)
        {
            return Drain();
        }
    }

    private WorkBatch Drain()
    {
        var batch = new WorkBatch([.. _work], [.. _cancel]);
        _work.Clear();
        _cancel.Clear();
        if (_signal.Task.IsCompleted)
        {
            _signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        return batch;
    }
}
