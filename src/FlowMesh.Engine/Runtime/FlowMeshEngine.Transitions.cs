using System.Text.Json;
using System.Text.Json.Nodes;
using FlowMesh.Engine.Actors;
using FlowMesh.Engine.Agent;
using FlowMesh.Engine.Agent.Protocol;
using FlowMesh.Engine.Results;
using FlowMesh.Abstractions;
using FlowMesh.Engine.Store;

namespace FlowMesh.Engine.Runtime;

public sealed partial class FlowMeshEngine
{
    private void Apply(StoreTransaction tx, EngineCommand command)
    {
        switch (command)
        {
            case EngineCommand.Submit submit:
                ApplySubmit(tx, submit);
                break;
            case EngineCommand.Resume resume:
                ApplyResume(tx, resume);
                break;
            case EngineCommand.Cancel cancel:
                ApplyCancel(tx, cancel);
                break;
            case EngineCommand.Retry retry:
                ApplyRetry(tx, retry);
                break;
            case EngineCommand.Pause pause:
                ApplyPause(tx, pause);
                break;
            case EngineCommand.Signal signal:
                ApplySignal(tx, signal);
                break;
            case EngineCommand.StopTask stop:
                ApplyStopTask(tx, stop);
                break;
            case EngineCommand.Cordon cordon:
                ApplyCordon(tx, cordon);
                break;
            case EngineCommand.Finished finished:
                ApplyFinished(tx, finished);
                break;
            case EngineCommand.Logs logs:
                {
                    var t = Fenced(logs.WorkflowId, logs.Index, logs.Attempt, logs.NodeId);
                    if (t is not null && logs.Lines.Count > 0)
                    {
                        LogEvent(_workflows[logs.WorkflowId], t, logs.Lines);
                    }

                    var accepted = t is not null;
                    _afterCommit.Add(() => logs.Ack?.TrySetResult(accepted));
                    break;
                }

            case EngineCommand.RegisterNode register:
                ApplyRegister(tx, register);
                break;
            case EngineCommand.NodeHeartbeat beat:
                ApplyHeartbeat(tx, beat);
                break;
            case EngineCommand.LeaveNode leave:
                ApplyLeave(tx, leave);
                break;
            case EngineCommand.Tick:
                ApplyTick(tx);
                break;
        }
    }

    private void ApplySubmit(StoreTransaction tx, EngineCommand.Submit submit)
    {
        var def = submit.Definition;
        var id = $"wf-{_time.GetUtcNow():yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..8]}";
        var index = def.Tasks.Select((t, i) => (t.Name, i)).ToDictionary(x => x.Name, x => x.i, StringComparer.Ordinal);
        var tasks = new TaskActor[def.Tasks.Count];
        for (var i = 0; i < tasks.Length; i++)
        {
            var t = def.Tasks[i];
            tasks[i] = new TaskActor(i, t.Name, t.TaskType, t.Spec, [.. t.DependsOn.Select(d => index[d])], t.Resources, t.Condition);
        }

        var wf = new WorkflowActor(id, def.Name, tasks) { Tenant = submit.Tenant };
        var now = _time.GetUtcNow();
        tx.InsertWorkflow(new WorkflowRow(id, def.Name, nameof(WorkflowState.Pending), 1, def.SourceFile, def.Format.ToString(), _node!.Id, null, now, null, tasks.Length,
            submit.Tenant, submit.Submitter));
        foreach (var t in tasks)
        {
            InsertTaskRow(tx, id, t);
        }

        _workflows[id] = wf;
        _telemetry.Track(wf);
        var submitted = new JsonObject { ["name"] = def.Name, ["tasks"] = tasks.Length, ["source"] = def.SourceFile };
        if (_telemetry.WorkflowStarted(wf, now) is { } traceParent)
        {
            submitted["traceparent"] = traceParent;
        }

        Event(wf, "workflow.submitted", null, submitted);
        MoveWorkflow(tx, wf, WorkflowState.Running, null);
        Link(wf);
        foreach (var t in tasks.Where(t => t.PendingDeps == 0))
        {
            OnDependenciesDone(tx, wf, t);
        }

        CheckWorkflowDone(tx, wf);
        _afterCommit.Add(() => submit.Ack.TrySetResult(id));
    }

    /// <summary>Stores a new task (of a submitted workflow, or one a map fanned out to) as Pending.</summary>
    private static void InsertTaskRow(StoreTransaction tx, string workflowId, TaskActor t) =>
        tx.InsertTask(new TaskRow(workflowId, t.Index, t.Name, t.TaskType, nameof(TaskState.Pending), 1, t.Spec.ToJsonString(), JsonSerializer.Serialize(t.Deps),
            JsonSerializer.Serialize(t.Resources), 0, null, null, null, null, null));

    private void ApplyResume(StoreTransaction tx, EngineCommand.Resume resume)
    {
        if (_workflows.ContainsKey(resume.WorkflowId))
        {
            _afterCommit.Add(() => resume.Ack.TrySetResult(resume.WorkflowId));
            return;
        }

        var row = Store.GetWorkflow(resume.WorkflowId);
        if (row is null)
        {
            resume.Ack.TrySetException(new KeyNotFoundException($"no workflow '{resume.WorkflowId}' in {_options.DataDirectory}"));
            return;
        }

        var state = Enum.Parse<WorkflowState>(row.State);
        if (StateMachines.Workflow.IsTerminal(state))
        {
            _afterCommit.Add(() => resume.Ack.TrySetResult(resume.WorkflowId));
            CompleteWaiter(resume.WorkflowId, state);
            return;
        }

        // A cluster leader's term fences out every earlier runner, so only a lone engine asks whether the owner lives.
        if (_options.ClusterTerm is null && row.OwnerNode is { } owner && owner != _node!.Id && Store.GetNode(owner) is { } ownerRow && ProcessIdentity.IsAlive(ownerRow))
        {
            resume.Ack.TrySetException(new InvalidOperationException($"workflow {row.Id} is being run by process {ownerRow.Pid} on {ownerRow.Host}"));
            return;
        }

        var wf = Load(row);
        _workflows[wf.Id] = wf;
        tx.UpdateWorkflow(wf.Id, wf.Version, wf.State.ToString(), _node!.Id, wf.Error, null);
        wf.Version++;
        Event(wf, "workflow.resumed", null, new JsonObject { ["node"] = _node.Id, ["previousNode"] = row.OwnerNode });
        foreach (var t in wf.Tasks)
        {
            switch (t.State)
            {
                case TaskState.Running when t.NodeId is { } remote && !NodeActor.IsEmbeddedId(remote) && t.AdoptableGpus is not null:
                    // A remote agent may still be running it: give its node two leases to rejoin and report it (then
                    // the task is adopted as it is); otherwise the lease clock requeues it.
                    t.LeaseUntil = _time.GetUtcNow() + (2 * _options.LeaseDuration);
                    break;
                case TaskState.Running:
                    // Its lease died with the previous runner: the result was never acknowledged, so it runs again.
                    MoveTask(tx, wf, t, TaskState.Ready, reason: $"requeued: node {t.NodeId} is gone");
                    t.NodeId = null;
                    Enqueue(wf, t);
                    break;
                case TaskState.Ready when IsGate(t):
                    // An open gate stays open across a restart; its timeout counts again from now.
                    ArmGate(wf, t, _time.GetUtcNow());
                    break;
                case TaskState.Ready:
                    Enqueue(wf, t);
                    break;
                case TaskState.Pending when t.PendingDeps == 0:
                    OnDependenciesDone(tx, wf, t);
                    break;
            }
        }

        CheckWorkflowDone(tx, wf);
        _afterCommit.Add(() => resume.Ack.TrySetResult(wf.Id));
    }

    private void ApplyCancel(StoreTransaction tx, EngineCommand.Cancel cancel)
    {
        if (!_workflows.TryGetValue(cancel.WorkflowId, out var wf))
        {
            cancel.Ack.TrySetException(new KeyNotFoundException($"workflow '{cancel.WorkflowId}' is not run by this process"));
            return;
        }

        foreach (var t in wf.Tasks.Where(t => !t.IsTerminal))
        {
            CancelTask(tx, wf, t, cancel.Reason);
        }

        CheckWorkflowDone(tx, wf);
        _afterCommit.Add(() => cancel.Ack.TrySetResult(wf.Id));
    }

    private void ApplyFinished(StoreTransaction tx, EngineCommand.Finished report)
    {
        // Fencing: only the attempt that holds the lease may finish the task; late reports are refused. The same
        // report delivered again (a retry after a lost answer) changes nothing and gets the same answer.
        if (Fenced(report.WorkflowId, report.Index, report.Attempt, report.NodeId) is not { } t)
        {
            var duplicate = AlreadyFinishedBy(report);
            _afterCommit.Add(() => report.Ack?.TrySetResult(duplicate));
            return;
        }

        var wf = _workflows[report.WorkflowId];
        _afterCommit.Add(() => report.Ack?.TrySetResult(true));
        if (report.Refused)
        {
            // The node had less free than the server thought (it is still stopping work it was told to drop): the
            // task was never run, so it waits its turn again behind what is queued.
            Requeue(tx, wf, t, report.Error ?? $"node {report.NodeId} refused it", atTail: true);
            return;
        }

        if (report.Lines.Count > 0)
        {
            LogEvent(wf, t, report.Lines);
        }

        if (FinishBatch(tx, wf, t, report))
        {
            return;
        }

        ReleaseNode(tx, wf, t, report.Succeeded ? TaskState.Succeeded : TaskState.Failed);
        if (report.Succeeded)
        {
            Succeed(tx, wf, t, report.Result);
        }
        else if (!TryScheduleRetry(tx, wf, t, report.Error) && !TryFallback(tx, wf, t, report.Error))
        {
            t.Error = report.Error;
            Finish(tx, wf, t, TaskState.Failed, null);
        }

        CheckWorkflowDone(tx, wf);
    }

    private bool AlreadyFinishedBy(EngineCommand.Finished r)
    {
        var state = r.Succeeded ? TaskState.Succeeded : TaskState.Failed;
        if (_workflows.TryGetValue(r.WorkflowId, out var wf))
        {
            return r.Index >= 0 && r.Index < wf.Tasks.Length && wf.Tasks[r.Index] is var t
                && t.State == state && t.Attempt == r.Attempt && (r.NodeId is null || t.NodeId == r.NodeId);
        }

        return Store.GetTask(r.WorkflowId, r.Index) is { } row
            && row.State == state.ToString() && row.Attempt == r.Attempt && (r.NodeId is null || row.NodeId == r.NodeId);
    }

    /// <summary>The running task this report may speak for: same attempt and, from a remote node, the node holding it.</summary>
    private TaskActor? Fenced(string workflowId, int index, int attempt, string? nodeId) =>
        _workflows.TryGetValue(workflowId, out var wf) && index >= 0 && index < wf.Tasks.Length
        && wf.Tasks[index] is { State: TaskState.Running } t && t.Attempt == attempt && (nodeId is null || t.NodeId == nodeId)
            ? t
            : null;

    /// <summary>Builds the readiness counters from edges: O(tasks + edges), done once per load.</summary>
    private void Link(WorkflowActor wf)
    {
        // Linking again (a retry reopens tasks) starts from scratch rather than adding the edges twice.
        foreach (var t in wf.Tasks)
        {
            t.Dependents.Clear();
        }

        foreach (var t in wf.Tasks)
        {
            var pending = 0;
            foreach (var d in t.Deps)
            {
                wf.Tasks[d].Dependents.Add(t.Index);
                pending += wf.Tasks[d].State is TaskState.Succeeded or TaskState.Skipped ? 0 : 1;
            }

            Counters.Edge(t.Deps.Length);
            t.PendingDeps = pending;
        }

        foreach (var t in wf.Tasks)
        {
            t.UndispatchedDependents = t.Dependents.Count(d => wf.Tasks[d].State is TaskState.Pending or TaskState.Ready);
        }
    }

    /// <summary>Cancels one unfinished task: a running executor is stopped and its node reservation given back.</summary>
    private void CancelTask(StoreTransaction tx, WorkflowActor wf, TaskActor t, string reason)
    {
        if (t.State == TaskState.Running)
        {
            if (t.NodeId == _node!.Id)
            {
                _agent!.Stop(wf.Id, t.Index);
            }
            else if (t.NodeId is not null)
            {
                CancelOnNode(t.NodeId, new TaskLease(wf.Id, t.Index, t.Attempt));
            }

            ReleaseNode(tx, wf, t, TaskState.Cancelled);
            RequeueBatch(tx, wf, t, $"{t.Name} was stopped");
        }

        t.Error = reason;
        Finish(tx, wf, t, TaskState.Cancelled, null);
    }

    /// <summary>Records a running task's success: its result in memory, the result event, the cache, and the end.</summary>
    private void Succeed(StoreTransaction tx, WorkflowActor wf, TaskActor t, JsonNode? result)
    {
        var json = result?.ToJsonString() ?? "null";
        t.Result = result;
        t.HasResult = true;
        Event(wf, "task.result", t, new JsonObject { ["result"] = result?.DeepClone() });
        StoreInCache(tx, wf, t, json);
        Finish(tx, wf, t, TaskState.Succeeded, json);
    }

    /// <summary>
    /// Succeeds a task that holds no node (a decided gate, a cache hit, a map's join) within this turn: the task machine
    /// goes through Ready and Running to Succeeded, so it is moved along that path.
    /// </summary>
    private void SucceedInPlace(StoreTransaction tx, WorkflowActor wf, TaskActor t, JsonNode? result, string reason)
    {
        if (t.State == TaskState.Pending)
        {
            t.Attempt++;
            MoveTask(tx, wf, t, TaskState.Ready);
        }

        ReleaseDependencies(wf, t);
        t.StartedAt = _time.GetUtcNow();
        MoveTask(tx, wf, t, TaskState.Running, reason: reason);
        Succeed(tx, wf, t, result);
    }

    private void Finish(StoreTransaction tx, WorkflowActor wf, TaskActor t, TaskState to, string? result)
    {
        if (t.State is TaskState.Pending or TaskState.Ready)
        {
            ReleaseDependencies(wf, t);
        }

        t.FinishedAt = _time.GetUtcNow();
        MoveTask(tx, wf, t, to, result: result);
        wf.TerminalCount++;
        foreach (var d in t.Dependents)
        {
            Counters.Edge();
            var dependent = wf.Tasks[d];
            if (dependent.State != TaskState.Pending)
            {
                continue;
            }

            if (to is TaskState.Succeeded or TaskState.Skipped)
            {
                if (--dependent.PendingDeps == 0)
                {
                    OnDependenciesDone(tx, wf, dependent);
                }
            }
            else
            {
                // A failed or cancelled upstream fails the dependents with the reason, so nothing is left pending.
                dependent.Error = to == TaskState.Failed ? $"upstream failed: {t.Name}" : $"upstream cancelled: {t.Name}";
                Finish(tx, wf, dependent, to == TaskState.Failed ? TaskState.Failed : TaskState.Cancelled, null);
            }
        }
    }

    private void OnDependenciesDone(StoreTransaction tx, WorkflowActor wf, TaskActor t)
    {
        if (t.Condition is { } c)
        {
            var upstream = wf.Find(c.Node);
            var actual = upstream is { HasResult: true } ? ResultPath.Evaluate(ResultOf(wf, upstream), c.Field) : null;
            var text = actual is null ? null : ResultPath.Text(actual);
            if (text != c.EqualsValue)
            {
                t.Error = null;
                Event(wf, "task.condition", t, new JsonObject { ["node"] = c.Node, ["field"] = c.Field, ["equals"] = c.EqualsValue, ["actual"] = text, ["met"] = false });
                Finish(tx, wf, t, TaskState.Skipped, new JsonObject { ["skipped"] = true, ["reason"] = $"condition {c.Node}.{c.Field} == '{c.EqualsValue}' not met (was '{text}')" }.ToJsonString());
                return;
            }
        }

        if (IsGate(t))
        {
            OpenGate(tx, wf, t);
            return;
        }

        if (TryMap(tx, wf, t) || TryServeFromCache(tx, wf, t))
        {
            return;
        }

        MoveTask(tx, wf, t, TaskState.Ready);
        Enqueue(wf, t);
        if (wf.State == WorkflowState.Paused)
        {
            NoteWaiting(tx, wf, t, Paused);
        }
    }

    private void CheckWorkflowDone(StoreTransaction tx, WorkflowActor wf)
    {
        if (wf.TerminalCount < wf.Tasks.Length || StateMachines.Workflow.IsTerminal(wf.State))
        {
            return;
        }

        var failed = wf.Tasks.FirstOrDefault(t => t.State == TaskState.Failed);
        var cancelled = wf.Tasks.Any(t => t.State == TaskState.Cancelled);
        var to = failed is not null ? WorkflowState.Failed : cancelled ? WorkflowState.Cancelled : WorkflowState.Succeeded;
        MoveWorkflow(tx, wf, to, failed is null ? null : $"task {failed.Name} failed: {failed.Error}");
        _telemetry.WorkflowEnded(wf, to, _time.GetUtcNow());
        _workflows.Remove(wf.Id);
        _afterCommit.Add(() => CompleteWaiter(wf.Id, to));
    }

    private void CompleteWaiter(string workflowId, WorkflowState state)
    {
        lock (_waiters)
        {
            if (!_waiters.TryGetValue(workflowId, out var tcs))
            {
                _waiters[workflowId] = tcs = new TaskCompletionSource<WorkflowState>(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            tcs.TrySetResult(state);
        }
    }

    private void MoveWorkflow(StoreTransaction tx, WorkflowActor wf, WorkflowState to, string? error)
    {
        var expected = wf.Version;
        wf.MoveTo(to);
        wf.Error = error;
        var terminal = StateMachines.Workflow.IsTerminal(to);
        tx.UpdateWorkflow(wf.Id, expected, to.ToString(), _node!.Id, error, terminal ? _time.GetUtcNow() : null);
        Event(wf, "workflow.state", null, new JsonObject { ["state"] = to.ToString(), ["error"] = error });
    }

    private void MoveTask(StoreTransaction tx, WorkflowActor wf, TaskActor t, TaskState to, string? result = null, string? reason = null)
    {
        var expected = t.Version;
        var from = t.State;
        var now = _time.GetUtcNow();
        t.MoveTo(to);
        t.Waiting = null;
        if (to == TaskState.Ready)
        {
            t.ReadyAt = now;
        }

        Counters.Transition();
        _telemetry.Moved(wf, t, from, to, now);
        tx.UpdateTask(wf.Id, t.Index, expected, new TaskUpdate(to.ToString(), t.Attempt, t.NodeId, result, t.Error, t.StartedAt, t.FinishedAt,
            to == TaskState.Running ? t.Reservation ?? [] : null));
        var data = new JsonObject { ["state"] = to.ToString(), ["attempt"] = t.Attempt };
        if (t.NodeId is not null && to == TaskState.Running)
        {
            data["node"] = t.NodeId;
        }

        if (t.Error is not null && to is TaskState.Failed or TaskState.Cancelled)
        {
            data["error"] = t.Error;
        }

        if (reason is not null)
        {
            data["reason"] = reason;
        }

        Event(wf, "task.state", t, data);
    }

    private void Event(WorkflowActor wf, string kind, TaskActor? task, JsonObject data) =>
        _pendingEvents.Add(new EventRow(wf.Id, wf.NextSeq++, _time.GetUtcNow(), kind, task?.Name, data.ToJsonString()));

    private void LogEvent(WorkflowActor wf, TaskActor t, IReadOnlyList<LogLine> lines)
    {
        var array = new JsonArray([.. lines.Select(l => (JsonNode)new JsonObject { ["at"] = l.At, ["stream"] = l.Stream, ["text"] = l.Text })]);
        Event(wf, "task.log", t, new JsonObject { ["attempt"] = t.Attempt, ["lines"] = array });
    }

    private void FlushEvents(StoreTransaction tx)
    {
        foreach (var e in _pendingEvents)
        {
            tx.AppendEvent(e);
        }
    }
}
