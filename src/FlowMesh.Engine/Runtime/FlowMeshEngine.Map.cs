using System.Text.Json;
using System.Text.Json.Nodes;
using FlowMesh.Engine.Actors;
using FlowMesh.Engine.Executors;
using FlowMesh.Abstractions;
using FlowMesh.Engine.Store;

namespace FlowMesh.Engine.Runtime;

/// <summary>
/// Fan-out: a task with <c>map: {items: LIST}</c> (a list in the spec, or a template such as
/// <c>"${producer.value.list}"</c> naming a list in an upstream result) becomes, when its dependencies are done, one task per item, named
/// <c>NAME[i]</c>, each with the task's spec where <c>{{item}}</c> and <c>{{index}}</c> in strings are replaced (and the
/// item in FLOWMESH_MAP_ITEM, JSON, for python and container tasks). The task itself is the join: it waits for all of
/// them and succeeds with <c>{items, results}</c>, the results in item order; if one fails it fails. The new tasks are
/// stored like any other, so a restart continues where it was.
/// </summary>
public sealed partial class FlowMeshEngine
{
    /// <summary>Most items one map may fan out to.</summary>
    public const int MaxMapItems = 10_000;

    /// <summary>Fans a map task out, or joins it once its items are done; false when the task is not a map.</summary>
    private bool TryMap(StoreTransaction tx, WorkflowActor wf, TaskActor t)
    {
        if (t.Spec["map"] is not JsonObject)
        {
            return false;
        }

        var prefix = $"{t.Name}[";
        var items = t.Deps.Select(d => wf.Tasks[d]).Where(d => d.Name.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        if (items.Count > 0)
        {
            Join(tx, wf, t, items);
            return true;
        }

        JsonArray list;
        try
        {
            list = BuildRequest(wf, t, []).Spec["map"]?["items"] as JsonArray
                ?? throw new ExecutionException("map.items is not a list (after resolving its reference)");
        }
        catch (ExecutionException ex)
        {
            t.Error = $"map: {ex.Message}";
            Finish(tx, wf, t, TaskState.Failed, null);
            return true;
        }

        if (list.Count > MaxMapItems)
        {
            t.Error = $"map: {list.Count} items, more than the {MaxMapItems} one map may fan out to";
            Finish(tx, wf, t, TaskState.Failed, null);
            return true;
        }

        if (list.Count == 0)
        {
            Join(tx, wf, t, []);
            return true;
        }

        var children = new List<TaskActor>(list.Count);
        var first = wf.Tasks.Length;
        for (var i = 0; i < list.Count; i++)
        {
            var spec = ItemSpec(t.Spec, list[i], i);
            var child = new TaskActor(first + i, $"{t.Name}[{i}]", t.TaskType, spec, t.Deps, t.Resources, null);
            child.Dependents.Add(t.Index);
            children.Add(child);
            InsertTaskRow(tx, wf.Id, child);
        }

        foreach (var d in t.Deps)
        {
            // The items read the same upstream results as the map: keep them until the items are placed.
            wf.Tasks[d].UndispatchedDependents += children.Count;
        }

        wf.Append(children);
        t.AddDeps(children.Select(c => c.Index));
        t.PendingDeps = children.Count;
        tx.SetDeps(wf.Id, t.Index, JsonSerializer.Serialize(t.Deps), wf.Tasks.Length);
        _telemetry.Added(wf, children);
        Event(wf, "task.mapped", t, new JsonObject { ["items"] = children.Count, ["first"] = children[0].Name, ["last"] = children[^1].Name });
        foreach (var child in children)
        {
            OnDependenciesDone(tx, wf, child);
        }

        return true;
    }

    /// <summary>The join: the map succeeds with its items' results in order.</summary>
    private void Join(StoreTransaction tx, WorkflowActor wf, TaskActor t, List<TaskActor> items)
    {
        var results = new JsonArray([.. items.OrderBy(i => i.Index).Select(i => ResultOf(wf, i)?.DeepClone())]);
        SucceedInPlace(tx, wf, t, new JsonObject { ["items"] = items.Count, ["results"] = results }, $"joining {items.Count} mapped item(s)");
    }

    private static JsonObject ItemSpec(JsonObject mapSpec, JsonNode? item, int index)
    {
        var text = item is JsonValue v && v.TryGetValue<string>(out var s) ? s : item?.ToJsonString() ?? "null";
        var spec = (JsonObject)Substitute(mapSpec.DeepClone(), text, index)!;
        spec.Remove("map");
        var env = spec["env"] as JsonObject ?? [];
        env["FLOWMESH_MAP_ITEM"] = item?.ToJsonString() ?? "null";
        env["FLOWMESH_MAP_INDEX"] = index.ToString(System.Globalization.CultureInfo.InvariantCulture);
        spec["env"] = env;
        spec["mapItem"] = item?.DeepClone();
        return spec;
    }

    private static JsonNode? Substitute(JsonNode? node, string item, int index)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var key in o.Select(p => p.Key).ToList())
                {
                    if (Substitute(o[key], item, index) is var changed && !ReferenceEquals(changed, o[key]))
                    {
                        o[key] = changed;
                    }
                }

                return o;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    if (Substitute(a[i], item, index) is var changed && !ReferenceEquals(changed, a[i]))
                    {
                        a[i] = changed;
                    }
                }

                return a;
            case JsonValue v when v.TryGetValue<string>(out var s) && s.Contains("{{", StringComparison.Ordinal):
                return JsonValue.Create(s.Replace("{{item}}", item, StringComparison.Ordinal)
                    .Replace("{{index}}", index.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
            default:
                return node;
        }
    }
}
