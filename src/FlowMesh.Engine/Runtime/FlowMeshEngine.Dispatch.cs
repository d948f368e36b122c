using System.Text.Json;
using System.Text.Json.Nodes;
using FlowMesh.Engine.Actors;
using FlowMesh.Engine.Agent.Protocol;
using FlowMesh.Engine.Executors;
using FlowMesh.Engine.Results;
using FlowMesh.Engine.States;
using FlowMesh.Engine.Store;
using FlowMesh.Workflows;

namespace FlowMesh.Engine.Runtime;

public sealed partial class FlowMeshEngine
{
    private void Enqueue(WorkflowActor wf, TaskActor t) => _readyQueue.AddLast((wf, t));

    /// <summary>
    /// Places ready tasks in FIFO order while some node has room. A task no node could ever run fails now with the
    /// reason (or, in a server, waits for a node that fits to join); one that only waits for room stops the pass, so each
    /// turn costs what it dispatches, not the queue length.
    /// </summary>
    private void Schedule(StoreTransaction tx, List<Assignment> dispatches)
    {
        while (_readyQueue.First is { } first)
        {
            var (wf, t) = first.Value;
            if (t.State != TaskState.Ready || !_workflows.ContainsKey(wf.Id))
            {
                _readyQueue.RemoveFirst();
                continue;
            }

            var fitting = _nodes.Values.Where(n => n.State == NodeState.Up && n.NeverFits(t.TaskType, t.Resources) is null).ToList();
            if (fitting.Count == 0)
            {
                _readyQueue.RemoveFirst();
                var live = _nodes.Values.Where(n => n.State == NodeState.Up).ToList();
                var why = live.Count == 0 ? "no node is up" : string.Join("; ", live.Select(n => n.NeverFits(t.TaskType, t.Resources)));
                if (_options.UnplaceableTimeout == TimeSpan.Zero)
                {
                    FailUnplaceable(tx, wf, t, why);
                }
                else
                {
                    _unplaceable.Add((wf, t, _unplaceableSince.GetValueOrDefault((wf.Id, t.Index), _time.GetUtcNow())));
                    _unplaceableSince[(wf.Id, t.Index)] = _unplaceable[^1].Since;
                    NoteWaiting(tx, wf, t, $"waiting for a node that can run this task: {why}");
                }

                continue;
            }

            if (QuotaNeverFits(wf.Tenant, t.Resources) is { } never)
            {
                _readyQueue.RemoveFirst();
                t.Error = never;
                Finish(tx, wf, t, TaskState.Failed, null);
                CheckWorkflowDone(tx, wf);
                continue;
            }

            if (OverQuota(wf.Tenant, t.Resources) is { } over)
            {
                _readyQueue.RemoveFirst();
                Park(tx, wf, t, over);
                continue;
            }

            NodeActor? node = null;
            var gpus = Array.Empty<int>();
            foreach (var candidate in Rank(fitting, t))
            {
                if (candidate.TryReserve(t.Resources, out gpus))
                {
                    node = candidate;
                    break;
                }
            }

            if (node is null)
            {
                NoteWaiting(tx, wf, t, string.Join("; ", fitting.Select(n => n.WhyNotNow(t.Resources))));
                return;
            }

            _readyQueue.RemoveFirst();
            ExecutionRequest request;
            try
            {
                request = BuildRequest(wf, t, gpus);
            }
            catch (ExecutionException ex)
            {
                node.Release(t.Resources, gpus);
                t.Error = ex.Message;
                Finish(tx, wf, t, TaskState.Failed, null);
                CheckWorkflowDone(tx, wf);
                continue;
            }

            ReleaseDependencies(wf, t);
            _unplaceableSince.Remove((wf.Id, t.Index));
            t.Attempt++;
            t.NodeId = node.Id;
            t.StartedAt = _time.GetUtcNow();
            t.LeaseUntil = node.Remote ? t.StartedAt + _options.LeaseDuration : null;
            t.Error = null;
            t.Reservation = gpus;
            MoveTask(tx, wf, t, TaskState.Running);
            _telemetry.Placed(wf, t, t.StartedAt.Value);
            if (_telemetry.TraceParent(wf, t) is { } traceParent)
            {
                request = request with { TraceParent = traceParent };
            }

            Charge(wf.Tenant, t.Resources, +1);
            dispatches.Add(new Assignment(wf.Id, t.Index, request, t.Resources, gpus, node.Id));
        }
    }

    /// <summary>
    /// Orders the nodes that could run a task: one holding its model warm first, then (for a task without GPUs) nodes
    /// with fewer GPUs so GPU nodes stay free for GPU work, then the one with most free slots.
    /// </summary>
    private static IEnumerable<NodeActor> Rank(List<NodeActor> nodes, TaskActor t)
    {
        var model = t.Spec["model"] is System.Text.Json.Nodes.JsonObject m && m["source"] is System.Text.Json.Nodes.JsonObject src
            && src["identifier"] is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<string>(out var id) ? id : null;
        return nodes
            .OrderByDescending(n => model is not null && (n.Capacity.WarmModels?.Contains(model, StringComparer.Ordinal) ?? false))
            .ThenBy(n => t.Resources.Gpu is null ? n.Capacity.Gpus.Count : 0)
            .ThenByDescending(n => n.FreeSlots)
            .ThenBy(n => n.Id, StringComparer.Ordinal);
    }

    /// <summary>Gives back what a running task held, bills the attempt and lets the tenant's parked tasks queue again.</summary>
    private void ReleaseNode(StoreTransaction tx, WorkflowActor wf, TaskActor t, TaskState ending)
    {
        if (t.Reservation is { } gpus)
        {
            if (t.NodeId is not null && _nodes.TryGetValue(t.NodeId, out var node))
            {
                node.Release(t.Resources, gpus);
            }

            t.Reservation = null;
            t.LeaseUntil = null;
            Charge(wf.Tenant, t.Resources, -1);
            RecordUsage(tx, wf, t, ending, gpus.Length);
            Unpark(wf.Tenant);
        }
    }

    /// <summary>Drops a cached result once every dependent has been dispatched or settled.</summary>
    private static void ReleaseDependencies(WorkflowActor wf, TaskActor t)
    {
        foreach (var d in t.Deps)
        {
            var upstream = wf.Tasks[d];
            if (--upstream.UndispatchedDependents <= 0)
            {
                upstream.Result = null;
            }
        }
    }

    private static WorkItem ToWorkItem(Assignment a)
    {
        var r = a.Request;
        return new WorkItem(a.WorkflowId, a.Index, r.TaskName, r.TaskType, r.Attempt, r.Spec, r.UpstreamResults, a.Gpus, a.Resources) { TraceParent = r.TraceParent };
    }

    private JsonNode? ResultOf(WorkflowActor wf, TaskActor t)
    {
        if (t.Result is not null || !t.HasResult)
        {
            return t.Result;
        }

        return Store.GetTaskResult(wf.Id, t.Index) is { } json ? JsonNode.Parse(json) : null;
    }

    private ExecutionRequest BuildRequest(WorkflowActor wf, TaskActor t, int[] gpus)
    {
        var spec = (JsonObject)t.Spec.DeepClone();
        var upstream = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        var dirs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var d in t.Deps)
        {
            var dep = wf.Tasks[d];
            upstream[dep.Name] = ResultOf(wf, dep);
            dirs[dep.Name] = Runtime.DataDirectory.ResultsOf(_options.DataDirectory, wf.Id, dep.Name);
        }

        // {node, path} may name any ancestor, not only a direct dependency (the parser checked it is upstream).
        foreach (var name in ReferencedNames(spec).Where(n => !upstream.ContainsKey(n)))
        {
            if (wf.Find(name) is { } ancestor)
            {
                upstream[name] = ResultOf(wf, ancestor);
                dirs[name] = Runtime.DataDirectory.ResultsOf(_options.DataDirectory, wf.Id, ancestor.Name);
            }
        }

        TemplateResolver.Resolve(spec, name => wf.Find(name) is { } target && target != t
            ? (true, upstream.TryGetValue(name, out var r) ? r : ResultOf(wf, target), $"{wf.Id}/{target.Name}")
            : (false, null, string.Empty));
        spec["_upstreamResults"] = new JsonObject(upstream.Select(kv => KeyValuePair.Create(kv.Key, kv.Value?.DeepClone())));
        return new ExecutionRequest(wf.Id, t.Name, t.TaskType, t.Attempt + 1, spec, upstream, dirs,
            Runtime.DataDirectory.ResultsOf(_options.DataDirectory, wf.Id, t.Name),
            Runtime.DataDirectory.WorkOf(_options.DataDirectory, wf.Id, t.Name, t.Attempt + 1), gpus) { Resources = t.Resources };
    }

    private static IEnumerable<string> ReferencedNames(JsonNode? node) =>
        JsonTree.Descendants([node]).OfType<JsonObject>()
            .Where(o => o.ContainsKey("path") && o["node"] is JsonValue v && v.TryGetValue<string>(out _))
            .Select(o => o["node"]!.GetValue<string>());

    private WorkflowActor Load(WorkflowRow row)
    {
        var rows = Store.GetTasks(row.Id);
        var tasks = new TaskActor[rows.Count];
        foreach (var r in rows)
        {
            var spec = (JsonObject)JsonNode.Parse(r.Spec)!;
            var resources = JsonSerializer.Deserialize<ResourceRequest>(r.Resources) ?? ResourceRequest.None;
            TaskCondition? condition = spec["condition"] is JsonObject c
                ? new TaskCondition(c["node"]!.GetValue<string>(), c["field"]!.GetValue<string>(), ResultPath.Text(c["equals"]))
                : null;
            tasks[r.Index] = new TaskActor(r.Index, r.Name, r.TaskType, spec, JsonSerializer.Deserialize<int[]>(r.Deps)!, resources, condition)
            {
                State = Enum.Parse<TaskState>(r.State),
                Version = r.Version,
                Attempt = r.Attempt,
                NodeId = r.NodeId,
                Error = r.Error,
                HasResult = r.Result is not null,
                StartedAt = r.StartedAt,
                FinishedAt = r.FinishedAt,
                Waiting = r.Waiting,
                AdoptableGpus = r.State == nameof(TaskState.Running) && r.Gpus is { } held ? JsonSerializer.Deserialize<int[]>(held) : null,
            };
        }

        var wf = new WorkflowActor(row.Id, row.Name, tasks)
        {
            Tenant = row.Tenant,
            State = Enum.Parse<WorkflowState>(row.State),
            Version = row.Version,
            NextSeq = Store.LastEventSeq(row.Id) + 1,
            TerminalCount = tasks.Count(t => t.IsTerminal),
        };
        Link(wf);
        _telemetry.Track(wf);
        if (EngineTelemetry.Tracing)
        {
            var submitted = Store.GetEvents(row.Id, 0, 1, kind: "workflow.submitted");
            var traceParent = submitted.Count > 0 && JsonNode.Parse(submitted[0].Data)?["traceparent"] is JsonValue v && v.TryGetValue<string>(out var tp) ? tp : null;
            _telemetry.WorkflowStarted(wf, _time.GetUtcNow(), traceParent);
        }

        return wf;
    }
}
