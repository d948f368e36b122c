using System.Text.Json;
using System.Text.Json.Nodes;
using FlowMesh.Engine.Actors;
using FlowMesh.Engine.Agent.Protocol;
using FlowMesh.Engine.Executors;
using FlowMesh.Engine.Results;
using FlowMesh.Abstractions;
using FlowMesh.Engine.Store;
using FlowMesh.Workflows;

namespace FlowMesh.Engine.Runtime;

public sealed partial class FlowMeshEngine
{
    /// <summary>Gives back what a running task held and bills the attempt.</summary>
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
            _scheduler.Charge(wf.Tenant, t.Resources, -1);
            RecordUsage(tx, wf, t, ending, gpus.Length);
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
        return new WorkItem(a.WorkflowId, a.Index, r.TaskName, r.TaskType, r.Attempt, r.Spec, r.UpstreamResults, a.Gpus, a.Resources) { TraceParent = r.TraceParent, Redact = r.Redact.Count > 0 ? r.Redact : null };
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
        var secrets = AddSecrets(wf, t, spec);
        return new ExecutionRequest(wf.Id, t.Name, t.TaskType, t.Attempt + 1, spec, upstream, dirs,
            Runtime.DataDirectory.ResultsOf(_options.DataDirectory, wf.Id, t.Name),
            Runtime.DataDirectory.WorkOf(_options.DataDirectory, wf.Id, t.Name, t.Attempt + 1), gpus) { Resources = t.Resources, Redact = secrets };
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
