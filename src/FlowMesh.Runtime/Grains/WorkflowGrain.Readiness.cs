using System.Text.Json.Nodes;
using FlowMesh.Abstractions;
using FlowMesh.Engine.Results;

namespace FlowMesh.Runtime.Grains;

internal sealed partial class WorkflowGrain
{
    public Task TaskStartedAsync(int index, int attempt, string nodeId)
    {
        if (Plan is null || index < 0 || index >= _tasks.Length)
        {
            return Task.CompletedTask;
        }

        var t = _tasks[index];
        if (t.State != TaskState.Ready || attempt <= t.Attempt)
        {
            return Task.CompletedTask;
        }

        t.Attempt = attempt;
        t.NodeId = nodeId;
        MoveTask(t, TaskState.Running);

        // The task grain's own state is what fences the attempt; this entry only tells watchers. It rides the next
        // flush (started here, not awaited), so the start of a task never waits on this log's disk.
        _ = FlushInBackgroundAsync();
        return Task.CompletedTask;
    }

    private async Task FlushInBackgroundAsync()
    {
        try
        {
            await _log.FlushAsync();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The next awaited flush retries these entries; if the store is gone, a fresh activation replays the log.
            LogFlushFailed(logger, Id, ex);
            this.DeactivateOnIdle();
        }
    }

    public async Task<TaskState> TaskEndedAsync(TaskEnd end)
    {
        if (Plan is null || end.Index < 0 || end.Index >= _tasks.Length)
        {
            return end.State;
        }

        var t = _tasks[end.Index];
        if (t.IsTerminal || end.Attempt < t.Attempt)
        {
            // A repeat (the task grain re-sends until it hears back) or an older attempt: already applied.
            await _log.FlushAsync();
            return t.State;
        }

        t.Attempt = end.Attempt;
        if (end.Logs.Length > 0)
        {
            AppendLogs(t, end.Attempt, end.Logs);
        }

        var ready = new List<TaskView>();
        if (end.State == TaskState.Ready)
        {
            if (t.State == TaskState.Running)
            {
                t.Error = end.Error;
                t.NodeId = null;
                MoveTask(t, TaskState.Ready, end.Reason);
            }

            if (end.FallbackType is { } type && !t.UsingFallback)
            {
                // A task falls back once, so a repeat of this outcome is recognised by the flag the event sets.
                t.UsingFallback = true;
                t.TaskType = type;
                _log.Append(EventKinds.TaskFallback, t.Plan.Name, new JsonObject { ["taskType"] = type, ["after"] = end.Error, ["attempt"] = end.Attempt });
            }
        }
        else
        {
            if (t.State == TaskState.Ready && end.State is TaskState.Succeeded or TaskState.Failed)
            {
                // The start was not recorded here (its notice was lost with a silo): record it, so the log reads in order.
                MoveTask(t, TaskState.Running);
            }

            t.Error = end.Error;
            Finish(t, end.State, end.ResultJson, ready);
            CheckDone();
        }

        await _log.FlushAsync();
        await KeepAliveAsync();
        await SendReadyAsync(ready);
        return t.State;
    }

    public async Task AppendLogsAsync(int index, int attempt, LogEntry[] lines)
    {
        if (Plan is null || index < 0 || index >= _tasks.Length || lines.Length == 0)
        {
            return;
        }

        AppendLogs(_tasks[index], attempt, lines);
        await _log.FlushAsync();
    }

    private void AppendLogs(TaskView t, int attempt, LogEntry[] lines)
    {
        var array = new JsonArray([.. lines.Select(l => (JsonNode)new JsonObject { ["at"] = l.At, ["stream"] = l.Stream, ["text"] = l.Text })]);
        _log.Append(EventKinds.TaskLog, t.Plan.Name, new JsonObject { ["attempt"] = attempt, ["lines"] = array });
    }

    /// <summary>Ends a task and carries the news to its dependents: ready ones go to <paramref name="ready"/>.</summary>
    private void Finish(TaskView t, TaskState to, string? resultJson, List<TaskView>? ready)
    {
        if (to == TaskState.Succeeded || resultJson is not null)
        {
            t.Result = resultJson is null ? null : JsonNode.Parse(resultJson);
            _log.Append(EventKinds.TaskResult, t.Plan.Name, new JsonObject { ["result"] = t.Result?.DeepClone() });
        }

        MoveTask(t, to);
        _terminal++;
        foreach (var d in t.Dependents.Select(i => _tasks[i]).Where(d => !d.IsTerminal))
        {
            if (to is TaskState.Succeeded or TaskState.Skipped)
            {
                if (--d.PendingDeps == 0 && d.State == TaskState.Pending)
                {
                    OnDependenciesDone(d, ready);
                }
            }
            else
            {
                // A failed or cancelled upstream ends the dependents with the reason, so nothing is left pending.
                d.Error = to == TaskState.Failed ? $"upstream failed: {t.Plan.Name}" : $"upstream cancelled: {t.Plan.Name}";
                Finish(d, to == TaskState.Failed ? TaskState.Failed : TaskState.Cancelled, null, ready);
            }
        }
    }

    private void OnDependenciesDone(TaskView t, List<TaskView>? ready)
    {
        if (t.Plan.Condition is { } c)
        {
            var actual = ResultOf(c.Node) is { } root ? ResultPath.Evaluate(root, c.Field) : null;
            var text = actual is null ? null : ConditionText(actual);
            if (text != c.EqualsValue)
            {
                _log.Append(EventKinds.TaskCondition, t.Plan.Name, new JsonObject { ["node"] = c.Node, ["field"] = c.Field, ["equals"] = c.EqualsValue, ["actual"] = text, ["met"] = false });
                Finish(t, TaskState.Skipped, new JsonObject { ["skipped"] = true, ["reason"] = $"condition {c.Node}.{c.Field} == '{c.EqualsValue}' not met (was '{text}')" }.ToJsonString(), ready);
                return;
            }
        }

        if (TryMap(t, ready))
        {
            return;
        }

        MoveTask(t, TaskState.Ready);
        ready?.Add(t);
        if (_state == WorkflowState.Paused)
        {
            NoteWaiting(t, PausedNote);
        }
    }

    private void CheckDone()
    {
        if (_terminal < _tasks.Length || StateMachines.Workflow.IsTerminal(_state))
        {
            return;
        }

        var failed = _tasks.FirstOrDefault(t => t.State == TaskState.Failed);
        var cancelled = _tasks.Any(t => t.State == TaskState.Cancelled);
        var to = failed is not null ? WorkflowState.Failed : cancelled ? WorkflowState.Cancelled : WorkflowState.Succeeded;
        MoveWorkflow(to, failed is null ? (cancelled ? _tasks.First(t => t.State == TaskState.Cancelled).Error : null) : $"task {failed.Plan.Name} failed: {failed.Error}");
    }

    /// <summary>Hands each ready task its work; only after the log that says it is ready is durable.</summary>
    private Task SendReadyAsync(List<TaskView> ready) =>
        ready.Count == 0 ? Task.CompletedTask : Task.WhenAll(ready.Where(t => t.State == TaskState.Ready).Select(HandOverAsync));

    /// <summary>Hands a ready task its work: held while the workflow is paused (with the pause it belongs to).</summary>
    private Task HandOverAsync(TaskView t) =>
        _state == WorkflowState.Paused ? TaskGrain(t).HoldAsync(BuildWork(t), _pauseSeq) : TaskGrain(t).ReadyAsync(BuildWork(t));

    /// <summary>The spec as it will run: references resolved from upstream results, which also travel as <c>_upstreamResults</c>.</summary>
    private TaskWork BuildWork(TaskView t)
    {
        var spec = JsonNode.Parse(t.Plan.SpecJson) as JsonObject ?? [];
        var upstream = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach (var d in t.Plan.Deps)
        {
            upstream[_tasks[d].Plan.Name] = _tasks[d].Result;
        }

        // {node, path} may name any ancestor, not only a direct dependency (the parser checked it is upstream).
        foreach (var o in JsonTree.Descendants([spec]).OfType<JsonObject>())
        {
            if (o.ContainsKey("path") && o["node"] is JsonValue v && v.TryGetValue<string>(out var name) && !upstream.ContainsKey(name) && _byName.ContainsKey(name))
            {
                upstream[name] = ResultOf(name);
            }
        }

        TemplateResolver.Resolve(spec, name => _byName.TryGetValue(name, out var i) && i != t.Index
            ? (true, upstream.TryGetValue(name, out var r) ? r : _tasks[i].Result, $"{Id}/{name}")
            : (false, null, string.Empty));
        var upstreamJson = new JsonObject(upstream.Select(kv => KeyValuePair.Create(kv.Key, kv.Value?.DeepClone())));
        spec["_upstreamResults"] = upstreamJson.DeepClone();
        return new TaskWork(new TaskRef(Id, t.Index), t.Plan.Name, t.Plan.TaskType, Plan!.Tenant, spec.ToJsonString(), upstreamJson.ToJsonString(), [.. upstream.Keys], t.Plan.Resources);
    }
}
