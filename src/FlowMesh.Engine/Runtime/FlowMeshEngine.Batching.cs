using System.Text.Json.Nodes;
using FlowMesh.Engine.Actors;
using FlowMesh.Engine.Executors;
using FlowMesh.Engine.Scheduling;
using FlowMesh.Abstractions;
using FlowMesh.Engine.Store;

namespace FlowMesh.Engine.Runtime;

/// <summary>
/// Task merging: when a task of a batchable type (inference, embedding, rag, diffusion) is placed, ready tasks of the
/// same tenant whose specs equal its own except for their data items join it, up to
/// <see cref="SchedulerOptions.MaxBatch"/>: the node runs one execution over all their items (one model load, one
/// reservation: the first task's), and the result's <c>items</c> are split back to each task in order. If the batch
/// fails, each task fails (or retries) on its own; if the first task is stopped or loses its node, the others queue
/// again. Tasks with templates, references, secrets, caching, fallbacks or maps are never merged.
/// </summary>
public sealed partial class FlowMeshEngine
{
    private static readonly string[] NotMergeable = ["map", "cache", "fallback", "secrets", "condition"];
    private readonly Dictionary<(string Workflow, int Index), List<BatchMember>> _batches = [];

    /// <summary>Adds matching queued tasks to a just-placed task's execution; returns the request to run.</summary>
    private ExecutionRequest MergeInto(WorkflowActor wf, TaskActor leader, NodeActor node, ExecutionRequest request)
    {
        var options = _options.Scheduler;
        if (options.MaxBatch <= 1 || MergeKeyOf(leader) is not { } key || request.Spec["data"]?["items"] is not JsonArray leaderItems)
        {
            return request;
        }

        var joining = _scheduler.Matching(wf.Tenant, e => e.Task != leader && IsQueued(e) && MergeKeyOf(e.Task) == key, options.MaxBatch - 1);
        if (joining.Count == 0)
        {
            return request;
        }

        var items = new JsonArray([.. leaderItems.Select(i => i?.DeepClone())]);
        var members = new List<BatchMember> { new(wf, leader, leader.Attempt, 0, leaderItems.Count) };
        foreach (var entry in joining)
        {
            var (mwf, t) = (entry.Workflow, entry.Task);
            var own = (JsonArray)t.Spec["data"]!["items"]!;
            members.Add(new BatchMember(mwf, t, t.Attempt + 1, items.Count, own.Count));
            foreach (var item in own)
            {
                items.Add(item?.DeepClone());
            }

            t.QueueEntry = null;
            ReleaseDependencies(mwf, t);
            t.Attempt++;
            t.NodeId = node.Id;
            t.StartedAt = _time.GetUtcNow();
            t.LeaseUntil = null;
            t.Error = null;
            t.Reservation = null;
            MoveTask(_passTx!, mwf, t, TaskState.Running, reason: $"merged into the batch of {wf.Id}/{leader.Name}");
            _telemetry.Placed(mwf, t, t.StartedAt.Value);
        }

        _batches[(wf.Id, leader.Index)] = members;
        Event(wf, "task.batched", leader, new JsonObject
        {
            ["items"] = items.Count,
            ["tasks"] = new JsonArray([.. members.Select(m => (JsonNode)$"{m.Workflow.Id}/{m.Task.Name}")]),
        });
        request.Spec["data"]!["items"] = items;
        return request;
    }

    /// <summary>Ends a batch with its execution's report; false when the task led no batch.</summary>
    private bool FinishBatch(StoreTransaction tx, WorkflowActor wf, TaskActor leader, EngineCommand.Finished report)
    {
        if (!_batches.Remove((wf.Id, leader.Index), out var members))
        {
            return false;
        }

        ReleaseNode(tx, wf, leader, report.Succeeded ? TaskState.Succeeded : TaskState.Failed);
        var total = members.Sum(m => m.Count);
        var split = report.Succeeded && report.Result is JsonObject whole && whole["items"] is JsonArray all && all.Count == total ? whole : null;
        var error = report.Succeeded && split is null ? $"the batch's result has no items list of {total} to split back per task" : report.Error;
        foreach (var m in members.Where(m => m.Task.State == TaskState.Running && m.Task.Attempt == m.Attempt && m.Task.NodeId == leader.NodeId))
        {
            var t = m.Task;
            if (split is not null)
            {
                var own = new JsonObject();
                foreach (var (key, value) in split)
                {
                    own[key] = key == "items" ? new JsonArray([.. ((JsonArray)value!).Skip(m.Start).Take(m.Count).Select(Reindex)]) : value?.DeepClone();
                }

                own["count"] = m.Count;
                own["batch"] = new JsonObject { ["leader"] = $"{wf.Id}/{leader.Name}", ["tasks"] = members.Count, ["items"] = total };
                Succeed(tx, m.Workflow, t, own);
            }
            else if (!TryScheduleRetry(tx, m.Workflow, t, error) && !TryFallback(tx, m.Workflow, t, error))
            {
                t.Error = error;
                Finish(tx, m.Workflow, t, TaskState.Failed, null);
            }

            CheckWorkflowDone(tx, m.Workflow);
        }

        return true;
    }

    /// <summary>The batch's first task was stopped or lost its node: the others queue again.</summary>
    private void RequeueBatch(StoreTransaction tx, WorkflowActor wf, TaskActor leader, string reason)
    {
        if (!_batches.Remove((wf.Id, leader.Index), out var members))
        {
            return;
        }

        foreach (var m in members.Skip(1).Where(m => m.Task.State == TaskState.Running && m.Task.Attempt == m.Attempt))
        {
            m.Task.NodeId = null;
            MoveTask(tx, m.Workflow, m.Task, TaskState.Ready, reason: $"requeued: its batch ended ({reason})");
            Enqueue(m.Workflow, m.Task, ahead: true);
        }
    }

    /// <summary>An item of the batch as its own task's item <paramref name="i"/>.</summary>
    private static JsonNode? Reindex(JsonNode? item, int i)
    {
        var copy = item?.DeepClone();
        if (copy is JsonObject o && o.ContainsKey("index"))
        {
            o["index"] = i;
        }

        return copy;
    }

    /// <summary>Type, resources and spec without its data items: equal for tasks that may share an execution.</summary>
    private string? MergeKeyOf(TaskActor t)
    {
        if (t.MergeKeyKnown)
        {
            return t.MergeKey;
        }

        t.MergeKeyKnown = true;
        if (!_options.Scheduler.BatchTypes.Contains(t.TaskType) || NotMergeable.Any(t.Spec.ContainsKey)
            || t.Spec["data"] is not JsonObject data || data["items"] is not JsonArray items || items.Any(i => i is not JsonValue))
        {
            return null;
        }

        var rest = (JsonObject)t.Spec.DeepClone();
        ((JsonObject)rest["data"]!).Remove("items");
        rest.Remove("priority");
        rest.Remove("dependsOn");
        var text = rest.ToJsonString();
        if (text.Contains("${", StringComparison.Ordinal) || text.Contains("\"node\"", StringComparison.Ordinal))
        {
            return null;
        }

        t.MergeKey = $"{t.TaskType}\n{System.Text.Json.JsonSerializer.Serialize(t.Resources)}\n{text}";
        return t.MergeKey;
    }
}
