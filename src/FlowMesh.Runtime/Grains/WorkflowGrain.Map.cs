using System.Text.Json.Nodes;
using FlowMesh.Abstractions;
using FlowMesh.Engine.Executors;
using Microsoft.Extensions.Logging;

namespace FlowMesh.Runtime.Grains;

/// <summary>
/// Fan-out, as the engine does it: a task with <c>map: {items: LIST | "${producer.value.list}"}</c> becomes, when its
/// dependencies are done, one task per item named <c>NAME[i]</c> (the spec per <see cref="MapItemSpec"/>, the map's
/// dependencies and resources), and is itself the join: it depends on its items too, and succeeds with
/// <c>{items, results}</c> in item order, or fails when one does. The items are appended to the plan, which is written
/// before the log may say anything more (<see cref="WorkflowLog.WriteAfter"/>): a replay finds every task the log
/// names, under the same index, so the items' task grains (keyed by index) are neither lost nor made twice.
/// </summary>
internal sealed partial class WorkflowGrain
{
    /// <summary>Most items one map may fan out to.</summary>
    private const int MaxMapItems = 10_000;

    /// <summary>Map tasks whose <c>task.mapped</c> is in the log.</summary>
    private readonly HashSet<int> _mapped = [];
    private Task _planWrite = Task.CompletedTask;

    /// <summary>Fans a map task out, or joins it once its items are done; false when the task is not a map.</summary>
    private bool TryMap(TaskView t, List<TaskView>? ready)
    {
        if (!IsMap(t))
        {
            return false;
        }

        var items = MapItems(t);
        if (items.Count > 0)
        {
            Join(t, items, ready);
            return true;
        }

        JsonArray list;
        try
        {
            list = JsonNode.Parse(BuildWork(t).SpecJson)?["map"]?["items"] as JsonArray
                ?? throw new ExecutionException("map.items is not a list (after resolving its reference)");
        }
        catch (ExecutionException ex)
        {
            t.Error = $"map: {ex.Message}";
            Finish(t, TaskState.Failed, null, ready);
            return true;
        }

        if (list.Count > MaxMapItems)
        {
            t.Error = $"map: {list.Count} items, more than the {MaxMapItems} one map may fan out to";
            Finish(t, TaskState.Failed, null, ready);
            return true;
        }

        if (list.Count == 0)
        {
            Join(t, [], ready);
            return true;
        }

        FanOut(t, list, ready);
        return true;
    }

    private void FanOut(TaskView t, JsonArray list, List<TaskView>? ready)
    {
        var spec = JsonNode.Parse(t.Plan.SpecJson) as JsonObject ?? [];
        var first = _tasks.Length;
        var plans = new TaskPlan[list.Count];
        var children = new TaskView[list.Count];
        for (var i = 0; i < list.Count; i++)
        {
            // The items read the same upstream results as the map, so they share its dependencies (all done).
            plans[i] = new TaskPlan($"{t.Plan.Name}[{i}]", t.Plan.TaskType, MapItemSpec.For(spec, list[i], i).ToJsonString(), [.. t.Plan.Deps], t.Plan.Resources, null);
            children[i] = new TaskView(first + i, plans[i]);
            children[i].Dependents.Add(t.Index);
        }

        t.Plan = t.Plan with { Deps = [.. t.Plan.Deps, .. Enumerable.Range(first, list.Count)] };
        t.PendingDeps = list.Count;
        var tasks = Plan!.Tasks.ToArray();
        tasks[t.Index] = t.Plan;
        record.State.Plan = Plan with { Tasks = [.. tasks, .. plans] };
        _tasks = [.. _tasks, .. children];
        foreach (var c in children)
        {
            _byName[c.Plan.Name] = c.Index;
        }

        // The upstream tasks' dependents are not extended here: they are done (and one of them may be enumerating
        // them right now); a replay links them from the plan, which changes nothing either.
        WritePlan();
        _mapped.Add(t.Index);
        AppendMapped(t, children.Length);
        foreach (var c in children)
        {
            OnDependenciesDone(c, ready);
        }
    }

    /// <summary>The join: the map succeeds with its items' results in order (a failed item failed it already).</summary>
    private void Join(TaskView t, List<TaskView> items, List<TaskView>? ready)
    {
        var results = new JsonArray([.. items.OrderBy(i => i.Index).Select(i => i.Result?.DeepClone())]);
        if (t.State == TaskState.Pending)
        {
            t.Attempt++;
            MoveTask(t, TaskState.Ready);
        }

        if (t.State == TaskState.Ready)
        {
            MoveTask(t, TaskState.Running, $"joining {items.Count} mapped item(s)");
        }

        Finish(t, TaskState.Succeeded, new JsonObject { ["items"] = items.Count, ["results"] = results }.ToJsonString(), ready);
    }

    private void AppendMapped(TaskView t, int count) =>
        _log.Append(EventKinds.TaskMapped, t.Plan.Name, new JsonObject { ["items"] = count, ["first"] = $"{t.Plan.Name}[0]", ["last"] = $"{t.Plan.Name}[{count - 1}]" });

    /// <summary>
    /// After a replay: a map whose items are in the plan but whose <c>task.mapped</c> is not in the log (the grain
    /// stopped between the two writes) gets it now; its items are made ready like any task whose dependencies are done.
    /// </summary>
    private void RepairMapped()
    {
        foreach (var t in _tasks.Where(t => !_mapped.Contains(t.Index)))
        {
            if (MapItems(t) is { Count: > 0 } items)
            {
                _mapped.Add(t.Index);
                AppendMapped(t, items.Count);
            }
        }
    }

    private static bool IsMap(TaskView t) =>
        t.Plan.SpecJson.Contains("\"map\"", StringComparison.Ordinal) && JsonNode.Parse(t.Plan.SpecJson) is JsonObject spec && spec["map"] is JsonObject;

    /// <summary>The items a map fanned out to: its dependencies named <c>NAME[i]</c>.</summary>
    private List<TaskView> MapItems(TaskView t)
    {
        var prefix = $"{t.Plan.Name}[";
        return [.. t.Plan.Deps.Select(d => _tasks[d]).Where(d => d.Plan.Name.StartsWith(prefix, StringComparison.Ordinal))];
    }

    /// <summary>Writes the plan after any write in flight, and holds the log until it is durable.</summary>
    private void WritePlan()
    {
        _planWrite = WritePlanAfterAsync(_planWrite);
        _log.WriteAfter(_planWrite);
    }

    private async Task WritePlanAfterAsync(Task previous)
    {
        await previous;
        try
        {
            await record.WriteStateAsync();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Memory is ahead of the store: start over from what is durable (the log is held, so it says nothing of it).
            LogPlanWriteFailed(logger, Id, ex);
            this.DeactivateOnIdle();
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "workflow {WorkflowId}: writing its plan (a map's items) failed; the activation starts over")]
    private static partial void LogPlanWriteFailed(ILogger logger, string workflowId, Exception ex);
}
