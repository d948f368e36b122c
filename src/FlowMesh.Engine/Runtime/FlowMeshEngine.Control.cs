using System.Text.Json.Nodes;
using FlowMesh.Abstractions;
using FlowMesh.Engine.Store;

namespace FlowMesh.Engine.Runtime;

public sealed partial class FlowMeshEngine
{
    /// <summary>Reopens the failed and cancelled tasks of a finished workflow; returns how many were reopened.</summary>
    public Task<int> RetryAsync(string workflowId, CancellationToken cancellationToken)
    {
        var ack = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(new EngineCommand.Retry(workflowId, ack));
        return ack.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Stops one task of a running workflow: a running executor is killed; dependents are cancelled.</summary>
    public Task<string> StopTaskAsync(string workflowId, string task, string reason, CancellationToken cancellationToken)
    {
        var ack = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(new EngineCommand.StopTask(workflowId, task, reason, ack));
        return ack.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Cordons (or uncordons) a node this engine runs; a cordoned node keeps its tasks and takes no new ones.</summary>
    public Task<bool> CordonAsync(string nodeId, bool cordoned, CancellationToken cancellationToken)
    {
        var ack = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(new EngineCommand.Cordon(nodeId, cordoned, ack));
        return ack.Task.WaitAsync(cancellationToken);
    }

    private void ApplyRetry(StoreTransaction tx, EngineCommand.Retry retry)
    {
        if (_workflows.ContainsKey(retry.WorkflowId))
        {
            retry.Ack.TrySetException(new InvalidOperationException($"workflow {retry.WorkflowId} is still running; retry it once it has finished"));
            return;
        }

        if (Store.GetWorkflow(retry.WorkflowId) is not { } row)
        {
            retry.Ack.TrySetException(new KeyNotFoundException($"no workflow '{retry.WorkflowId}'"));
            return;
        }

        if (Enum.Parse<WorkflowState>(row.State) is not (WorkflowState.Failed or WorkflowState.Cancelled))
        {
            retry.Ack.TrySetException(new InvalidOperationException($"workflow {row.Id} is {row.State.ToLowerInvariant()}; only a failed or cancelled workflow can be retried"));
            return;
        }

        var wf = Load(row);
        var reopened = 0;
        foreach (var t in wf.Tasks.Where(t => t.State is TaskState.Failed or TaskState.Cancelled))
        {
            t.Error = null;
            t.NodeId = null;
            MoveTask(tx, wf, t, TaskState.Pending, reason: "retry");
            reopened++;
        }

        wf.TerminalCount = wf.Tasks.Count(t => t.IsTerminal);
        Link(wf);
        _workflows[wf.Id] = wf;
        lock (_waiters)
        {
            // The old waiter already saw the previous end; the next WaitAsync waits for the new one.
            if (_waiters.TryGetValue(wf.Id, out var old) && old.Task.IsCompleted)
            {
                _waiters.Remove(wf.Id);
            }
        }

        MoveWorkflow(tx, wf, WorkflowState.Running, null);
        Event(wf, "workflow.retried", null, new JsonObject { ["tasks"] = reopened });
        foreach (var t in wf.Tasks.Where(t => t.State == TaskState.Pending && t.PendingDeps == 0))
        {
            OnDependenciesDone(tx, wf, t);
        }

        CheckWorkflowDone(tx, wf);
        _afterCommit.Add(() => retry.Ack.TrySetResult(reopened));
    }

    private void ApplyStopTask(StoreTransaction tx, EngineCommand.StopTask stop)
    {
        if (!_workflows.TryGetValue(stop.WorkflowId, out var wf))
        {
            stop.Ack.TrySetException(new InvalidOperationException($"workflow {stop.WorkflowId} is not running"));
            return;
        }

        if (wf.Find(stop.Task) is not { } t)
        {
            stop.Ack.TrySetException(new KeyNotFoundException($"workflow {stop.WorkflowId} has no task '{stop.Task}'"));
            return;
        }

        if (t.IsTerminal)
        {
            stop.Ack.TrySetException(new InvalidOperationException($"task {t.Name} already finished ({t.State.ToString().ToLowerInvariant()})"));
            return;
        }

        CancelTask(tx, wf, t, stop.Reason);
        CheckWorkflowDone(tx, wf);
        _afterCommit.Add(() => stop.Ack.TrySetResult(t.Name));
    }

    private void ApplyCordon(StoreTransaction tx, EngineCommand.Cordon cordon)
    {
        if (!_nodes.TryGetValue(cordon.NodeId, out var node) || node.State is not (NodeState.Up or NodeState.Draining))
        {
            cordon.Ack.TrySetException(new KeyNotFoundException($"node {cordon.NodeId} is not live"));
            return;
        }

        if (node.Cordoned != cordon.Cordoned)
        {
            node.Cordoned = cordon.Cordoned;
            SaveNode(tx, node, insert: false);
        }

        _afterCommit.Add(() => cordon.Ack.TrySetResult(cordon.Cordoned));
    }
}
