using System.Text.Json.Nodes;
using FlowMesh.Abstractions;

namespace FlowMesh.Runtime.Grains;

internal sealed partial class WorkflowGrain
{
    private const int ReplayPage = 10_000;

    /// <summary>Rebuilds every task's state from the log, in the order the grain wrote it.</summary>
    private async Task ReplayAsync(CancellationToken cancellationToken)
    {
        long after = 0;
        while (true)
        {
            var page = await events.ReadAsync(Id, after, ReplayPage, cancellationToken);
            foreach (var e in page)
            {
                Apply(e);
                after = e.Seq;
            }

            if (page.Count < ReplayPage)
            {
                break;
            }
        }

        _log.NextSeq = after + 1;
        _log.DurableSeq = after;
        foreach (var t in _tasks)
        {
            t.PendingDeps = t.Plan.Deps.Count(d => _tasks[d].State is not (TaskState.Succeeded or TaskState.Skipped));
        }

        _terminal = _tasks.Count(t => t.IsTerminal);
    }

    private void Apply(WorkflowEvent e)
    {
        var t = e.Task is not null && _byName.TryGetValue(e.Task, out var i) ? _tasks[i] : null;
        switch (e.Kind)
        {
            case EventKinds.WorkflowState when JsonNode.Parse(e.Data) is JsonObject data:
                _state = Enum.Parse<WorkflowState>(data["state"]!.GetValue<string>());
                _error = data["error"]?.GetValue<string>();
                break;
            case EventKinds.TaskState when t is not null && JsonNode.Parse(e.Data) is JsonObject data:
                t.State = Enum.Parse<TaskState>(data["state"]!.GetValue<string>());
                t.Attempt = data["attempt"]?.GetValue<int>() ?? t.Attempt;
                t.NodeId = data["node"]?.GetValue<string>() ?? (t.State == TaskState.Running ? t.NodeId : null);
                t.Error = data["error"]?.GetValue<string>();
                break;
            case EventKinds.TaskResult when t is not null && JsonNode.Parse(e.Data) is JsonObject data:
                t.Result = data["result"]?.DeepClone();
                break;
            case EventKinds.WorkflowPaused or EventKinds.WorkflowUnpaused:
                _pauseSeq = e.Seq;
                break;
            case EventKinds.TaskFallback when t is not null && JsonNode.Parse(e.Data) is JsonObject data:
                t.UsingFallback = true;
                t.TaskType = data["taskType"]?.GetValue<string>() ?? t.TaskType;
                break;
            case EventKinds.TaskMapped when t is not null:
                _mapped.Add(t.Index);
                break;
            default:
                break;
        }
    }

    /// <summary>
    /// After an activation that found the workflow unfinished: tasks whose dependencies are done but that were never
    /// made ready (the silo died in between) become ready; queued and running tasks are synced with their grains,
    /// which re-queue themselves or re-arm their lease checks, and re-send an outcome this grain never heard.
    /// </summary>
    public Task ReconcileAsync() => Plan is null || StateMachines.Workflow.IsTerminal(_state) ? Task.CompletedTask : ReconcileAsync(CancellationToken.None);

    private async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        var ready = new List<TaskView>();
        RepairMapped();
        foreach (var t in _tasks.Where(t => t.State == TaskState.Pending && t.PendingDeps == 0))
        {
            OnDependenciesDone(t, ready);
        }

        CheckDone();
        await _log.FlushAsync();
        await SendReadyAsync(ready);
        foreach (var t in _tasks.Where(t => t.State is TaskState.Ready or TaskState.Running && !ready.Contains(t)).ToList())
        {
            try
            {
                if (_pauseSeq > 0)
                {
                    // Before the sync, which re-queues a ready task that is not held: a hold or unhold may have been lost.
                    await HoldOrUnholdAsync(t, _state == WorkflowState.Paused, _pauseSeq);
                }

                var snapshot = await TaskGrain(t).SyncAsync();
                if (snapshot.State == TaskState.Pending && t.State == TaskState.Ready)
                {
                    // The task never got its work (the silo died between the log write and the hand-over).
                    await HandOverAsync(t);
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogSyncFailed(logger, Id, t.Plan.Name, ex);
            }
        }

        await KeepAliveAsync();
    }
}
