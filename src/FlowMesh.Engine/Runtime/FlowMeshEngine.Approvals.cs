using System.Text.Json.Nodes;
using FlowMesh.Engine.Actors;
using FlowMesh.Abstractions;
using FlowMesh.Engine.Store;
using FlowMesh.Workflows.Schema;

namespace FlowMesh.Engine.Runtime;

/// <summary>
/// Approval gates: an <c>approval</c> task takes no node. When its dependencies are done it opens (Ready, its attempt
/// number becomes the gate's id, and the wait is noted with the gate's message) and stays out of the ready queue
/// until a signal decides it: approve succeeds it (its result says who and carries the signal's data), reject fails it
/// (its dependents fail with it). A gate with a timeout fails when it runs out. A retry reopens it as a new gate, so
/// a signal meant for the old one is stale.
/// </summary>
public sealed partial class FlowMeshEngine
{
    private readonly Dictionary<(string Workflow, int Index), DateTimeOffset> _gateDeadlines = [];

    /// <summary>Decides an open approval gate (<paramref name="gate"/> is the attempt number it opened with).</summary>
    public Task<SignalOutcome> SignalAsync(string workflowId, string task, int gate, bool approve, string by, JsonNode? data, CancellationToken cancellationToken)
    {
        var ack = new TaskCompletionSource<SignalOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(new EngineCommand.Signal(workflowId, task, gate, approve, by, data, ack));
        return ack.Task.WaitAsync(cancellationToken);
    }

    private static bool IsGate(TaskActor t) => t.TaskType == TaskTypes.Approval;

    private void OpenGate(StoreTransaction tx, WorkflowActor wf, TaskActor t)
    {
        t.Attempt++;
        t.Error = null;
        MoveTask(tx, wf, t, TaskState.Ready, reason: "approval gate opened");
        ArmGate(wf, t, _time.GetUtcNow());
        NoteWaiting(tx, wf, t, GateNote(t));
    }

    private void ArmGate(WorkflowActor wf, TaskActor t, DateTimeOffset openedAt)
    {
        if (Number(t.Spec["approval"]?["timeoutSeconds"]) is { } seconds && seconds > 0)
        {
            _gateDeadlines[(wf.Id, t.Index)] = openedAt + TimeSpan.FromSeconds(seconds);
        }
    }

    private static string GateNote(TaskActor t) =>
        t.Spec["approval"]?["message"] is JsonValue m && m.TryGetValue<string>(out var message)
            ? $"awaiting approval: {message}"
            : "awaiting approval";

    private void ApplySignal(StoreTransaction tx, EngineCommand.Signal signal)
    {
        var outcome = Decide(tx, signal);
        _afterCommit.Add(() => signal.Ack.TrySetResult(outcome));
    }

    private SignalOutcome Decide(StoreTransaction tx, EngineCommand.Signal signal)
    {
        if (!_workflows.TryGetValue(signal.WorkflowId, out var wf))
        {
            // A finished workflow's gates are closed: the same decision again is a duplicate, anything else a conflict.
            var row = Store.GetTasks(signal.WorkflowId).FirstOrDefault(r => r.Name == signal.Task);
            return row is null || row.TaskType != TaskTypes.Approval || row.Attempt != signal.Gate
                ? SignalOutcome.Stale
                : Closed(row.State, row.Error, signal.Approve);
        }

        if (wf.Find(signal.Task) is not { } t || !IsGate(t) || t.Attempt != signal.Gate)
        {
            return SignalOutcome.Stale;
        }

        if (t.State != TaskState.Ready)
        {
            return t.IsTerminal ? Closed(t.State.ToString(), t.Error, signal.Approve) : SignalOutcome.Stale;
        }

        _gateDeadlines.Remove((wf.Id, t.Index));
        var decision = new JsonObject
        {
            ["approved"] = signal.Approve,
            ["by"] = signal.By,
            ["at"] = _time.GetUtcNow(),
            ["data"] = signal.Data?.DeepClone(),
        };
        Event(wf, "task.signal", t, (JsonObject)decision.DeepClone());
        if (signal.Approve)
        {
            SucceedInPlace(tx, wf, t, decision, $"approved by {signal.By}");
        }
        else
        {
            t.Error = $"rejected by {signal.By}";
            Finish(tx, wf, t, TaskState.Failed, null);
        }

        CheckWorkflowDone(tx, wf);
        return SignalOutcome.Accepted;
    }

    private static SignalOutcome Closed(string state, string? error, bool approve) =>
        (approve && state == nameof(TaskState.Succeeded)) || (!approve && state == nameof(TaskState.Failed) && error?.StartsWith("rejected by ", StringComparison.Ordinal) == true)
            ? SignalOutcome.Duplicate
            : SignalOutcome.Conflict;

    /// <summary>Fails the gates whose timeout ran out (the lease clock calls this).</summary>
    private void ExpireGates(StoreTransaction tx, DateTimeOffset now)
    {
        foreach (var ((workflowId, index), deadline) in _gateDeadlines.Where(g => g.Value <= now).ToList())
        {
            _gateDeadlines.Remove((workflowId, index));
            if (_workflows.TryGetValue(workflowId, out var wf) && wf.Tasks[index] is { State: TaskState.Ready } t && IsGate(t))
            {
                t.Error = $"approval timed out: nobody decided by {deadline:u}";
                Finish(tx, wf, t, TaskState.Failed, null);
                CheckWorkflowDone(tx, wf);
            }
        }
    }
}
