using System.Text.Json.Nodes;
using FlowMesh.Engine.Actors;
using FlowMesh.Abstractions;
using FlowMesh.Engine.Store;

namespace FlowMesh.Engine.Runtime;

/// <summary>
/// Pausing a workflow stops placing its tasks: what runs finishes (and its dependents become ready), but nothing new
/// starts until it is resumed, when its ready tasks queue again where they were. A pause survives a restart (it is the
/// workflow's state).
/// </summary>
public sealed partial class FlowMeshEngine
{
    /// <summary>Pauses (<paramref name="paused"/> true) or resumes a running workflow; returns its new state.</summary>
    public Task<string> PauseAsync(string workflowId, bool paused, CancellationToken cancellationToken)
    {
        var ack = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(new EngineCommand.Pause(workflowId, paused, ack));
        return ack.Task.WaitAsync(cancellationToken);
    }

    private void ApplyPause(StoreTransaction tx, EngineCommand.Pause pause)
    {
        if (!_workflows.TryGetValue(pause.WorkflowId, out var wf))
        {
            pause.Ack.TrySetException(new KeyNotFoundException($"workflow '{pause.WorkflowId}' is not run by this process"));
            return;
        }

        var (from, to) = pause.Paused ? (WorkflowState.Running, WorkflowState.Paused) : (WorkflowState.Paused, WorkflowState.Running);
        if (wf.State == from)
        {
            MoveWorkflow(tx, wf, to, null);
            Event(wf, pause.Paused ? "workflow.paused" : "workflow.unpaused", null, new JsonObject { ["running"] = wf.Tasks.Count(t => t.State == TaskState.Running) });
            if (pause.Paused)
            {
                foreach (var t in wf.Tasks.Where(t => t.State == TaskState.Ready && !IsGate(t)))
                {
                    NoteWaiting(tx, wf, t, Paused);
                }
            }
            else
            {
                foreach (var t in wf.Tasks.Where(t => t.State == TaskState.Ready && !IsGate(t) && !_retryAt.ContainsKey((wf.Id, t.Index)) && !IsSetAside(t)))
                {
                    Enqueue(wf, t, ahead: true);
                }
            }
        }
        else if (wf.State != to)
        {
            pause.Ack.TrySetException(new InvalidOperationException($"workflow {wf.Id} is {wf.State.ToString().ToLowerInvariant()}; only a {from.ToString().ToLowerInvariant()} workflow can be {(pause.Paused ? "paused" : "resumed")}"));
            return;
        }

        var state = wf.State.ToString();
        _afterCommit.Add(() => pause.Ack.TrySetResult(state));
    }

    private const string Paused = "workflow is paused: resume it to place this task";

    private bool IsSetAside(TaskActor t) => _unplaceable.Any(u => u.Task == t);
}
