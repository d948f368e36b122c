using System.Text.Json.Nodes;
using FlowMesh.Abstractions;

namespace FlowMesh.Runtime.Grains;

/// <summary>
/// Pausing, as the engine does it: the workflow goes Paused (its log says so, so a replay is paused too), what runs
/// finishes and its dependents become ready, but no task is placed until it is resumed. The placement is refused by the
/// task grains: this grain tells every queued or running one to hold, and hands a task that becomes ready while paused
/// its work held. Each hold and unhold carries the log entry of its pause or resume, so one that arrives late (calls
/// from a reentrant grain may overtake each other) changes nothing.
/// </summary>
internal sealed partial class WorkflowGrain
{
    private const string PausedNote = "workflow is paused: resume it to place this task";

    /// <summary>The log entry of the last pause or resume (0: never paused).</summary>
    private long _pauseSeq;

    public Task<WorkflowState> PauseAsync() => SetPausedAsync(paused: true);

    public Task<WorkflowState> ResumeAsync() => SetPausedAsync(paused: false);

    private async Task<WorkflowState> SetPausedAsync(bool paused)
    {
        if (Plan is null)
        {
            throw new WorkflowNotFoundException(Id);
        }

        var (from, to) = paused ? (WorkflowState.Running, WorkflowState.Paused) : (WorkflowState.Paused, WorkflowState.Running);
        if (_state == to)
        {
            // Pausing twice changes nothing; the caller still hears only what is durable.
            await _log.FlushAsync();
            return _state;
        }

        if (_state != from)
        {
            throw new WorkflowStateConflictException(Id, _state, $"workflow {Id} is {_state.ToString().ToLowerInvariant()}; only a {from.ToString().ToLowerInvariant()} workflow can be {(paused ? "paused" : "resumed")}");
        }

        MoveWorkflow(to, null);
        _pauseSeq = _log.Append(paused ? EventKinds.WorkflowPaused : EventKinds.WorkflowUnpaused, null, new JsonObject { ["running"] = _tasks.Count(t => t.State == TaskState.Running) }).Seq;
        if (paused)
        {
            foreach (var t in _tasks.Where(t => t.State == TaskState.Ready))
            {
                NoteWaiting(t, PausedNote);
            }
        }

        await _log.FlushAsync();

        // A running task is held too: should its attempt fail into a retry, or its node be lost, it must not be placed.
        var seq = _pauseSeq;
        await Task.WhenAll(_tasks.Where(t => t.State is TaskState.Ready or TaskState.Running).ToList().Select(t => HoldOrUnholdAsync(t, paused, seq)));
        await KeepAliveAsync();
        return _state;
    }

    /// <summary>Tells one task grain the workflow's pause state; a task that is lost now is fixed by the next re-sync.</summary>
    private async Task HoldOrUnholdAsync(TaskView t, bool hold, long seq)
    {
        try
        {
            var work = BuildWork(t);
            var task = TaskGrain(t);
            await (hold ? task.HoldAsync(work, seq) : task.UnholdAsync(work, seq));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogSyncFailed(logger, Id, t.Plan.Name, ex);
        }
    }

    private void NoteWaiting(TaskView t, string reason) =>
        _log.Append(EventKinds.TaskWaiting, t.Plan.Name, new JsonObject { ["reason"] = reason });
}
