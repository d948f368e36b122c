using System.Text.Json.Nodes;
using FlowMesh.Engine.Actors;
using FlowMesh.Abstractions;
using FlowMesh.Engine.Store;
using FlowMesh.Workflows;
using FlowMesh.Workflows.Schema;

namespace FlowMesh.Engine.Runtime;

/// <summary>
/// Fallbacks: once a task's attempts are exhausted, a task with <c>fallback: {…}</c> runs that instead, in the same
/// place of the graph (its dependents read the fallback's result as the task's). The fallback's fields are laid over
/// the task's; a new taskType starts from a clean spec. It runs once. The switch is stored (type, spec, resources), so a
/// restart goes on with the fallback, and its spec has no fallback of its own.
/// </summary>
public sealed partial class FlowMeshEngine
{
    private bool TryFallback(StoreTransaction tx, WorkflowActor wf, TaskActor t, string? error)
    {
        if (t.UsingFallback || t.Spec["fallback"] is not JsonObject fallback)
        {
            return false;
        }

        var type = fallback["taskType"] is JsonValue v && v.TryGetValue<string>(out var named) ? named : t.TaskType;
        var spec = new JsonObject();
        foreach (var (key, value) in t.Spec)
        {
            // A new type keeps only what every task has; the task's retry policy was spent.
            if (key is "fallback" or "retry" || (type != t.TaskType && key is not ("dependsOn" or "condition" or "priority" or "nodeSelector" or "secrets" or "output")))
            {
                continue;
            }

            spec[key] = value?.DeepClone();
        }

        foreach (var (key, value) in fallback)
        {
            spec[key] = value?.DeepClone();
        }

        spec["taskType"] = type;
        var resources = fallback["resources"] is JsonObject r ? ResourcesOf(r) : type == t.TaskType ? t.Resources : ResourceRequest.None;
        t.Error = error;
        t.NodeId = null;
        t.UseFallback(spec, type, resources);
        tx.SetTaskSpec(wf.Id, t.Index, type, spec.ToJsonString(), System.Text.Json.JsonSerializer.Serialize(resources));
        MoveTask(tx, wf, t, TaskState.Ready, reason: $"fallback ({type}) after: {error}");
        Event(wf, "task.fallback", t, new JsonObject { ["taskType"] = type, ["after"] = error, ["attempt"] = t.Attempt });
        Enqueue(wf, t);
        return true;
    }

    /// <summary>Reads <c>resources.hardware</c> as the parser does (the validator already checked it).</summary>
    private static ResourceRequest ResourcesOf(JsonObject resources)
    {
        if (resources["hardware"] is not JsonObject hw)
        {
            return ResourceRequest.None;
        }

        long cpu = 0, memory = 0, gpuMemory = 0;
        _ = hw["cpu"] is JsonValue c && Quantities.TryParseCpuMillis(Text(c), out cpu);
        _ = hw["memory"] is JsonValue m && Quantities.TryParseBytes(Text(m), out memory);
        GpuRequest? gpu = null;
        if (hw["gpu"] is JsonObject g)
        {
            var count = g["count"] is { } n ? (int)(Number(n) ?? 1) : 1;
            _ = g["memory"] is JsonValue gm && Quantities.TryParseBytes(Text(gm), out gpuMemory);
            gpu = count > 0 ? new GpuRequest(g["type"] is JsonValue tv && tv.TryGetValue<string>(out var gt) ? gt : "any", count, gpuMemory) : null;
        }

        return new ResourceRequest(cpu, memory, gpu);
    }

    private static string Text(JsonValue value) => value.TryGetValue<string>(out var s) ? s : value.ToJsonString();
}
