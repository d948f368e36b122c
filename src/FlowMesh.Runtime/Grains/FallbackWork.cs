using System.Globalization;
using System.Text.Json.Nodes;
using FlowMesh.Abstractions;
using FlowMesh.Runtime.Client;
using FlowMesh.Workflows;
using FlowMesh.Workflows.Schema;

namespace FlowMesh.Runtime.Grains;

/// <summary>
/// A task's <c>fallback: {…}</c> as the work it runs once the task's attempts are spent, with the engine's rules: the
/// fallback's fields are laid over the task's, a new taskType starts from a clean spec (keeping only what every task
/// has), the spent <c>retry</c> and the fallback itself are dropped, and resources come from the fallback, else from the
/// task when the type is the same, else none.
/// </summary>
internal static class FallbackWork
{
    /// <summary>What every task type keeps when its fallback is of another type.</summary>
    private static readonly HashSet<string> Common = new(StringComparer.Ordinal)
    {
        "dependsOn", "condition", "priority", "nodeSelector", "secrets", "output",

        // Not in the engine's list: it adds the upstream results at dispatch, the grains carry them in the spec.
        "_upstreamResults",
    };

    /// <summary>The fallback's work, or null when the task has none.</summary>
    public static TaskWork? From(TaskWork work)
    {
        if (JsonNode.Parse(work.SpecJson) is not JsonObject task || task["fallback"] is not JsonObject fallback)
        {
            return null;
        }

        var type = fallback["taskType"] is JsonValue v && v.TryGetValue<string>(out var named) ? named : work.TaskType;
        var spec = new JsonObject();
        foreach (var (key, value) in task)
        {
            if (key is "fallback" or "retry" || (type != work.TaskType && !Common.Contains(key)))
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
        var resources = fallback["resources"] is JsonObject r ? ShapeOf(r) : type == work.TaskType ? work.Resources : ResourceShape.None;
        return work with { TaskType = type, SpecJson = spec.ToJsonString(), Resources = resources };
    }

    /// <summary>Reads <c>resources.hardware</c> as the parser does (the validator already checked it).</summary>
    private static ResourceShape ShapeOf(JsonObject resources)
    {
        if (resources["hardware"] is not JsonObject hw)
        {
            return ResourceShape.None;
        }

        long cpu = 0, memory = 0, gpuMemory = 0;
        _ = hw["cpu"] is JsonValue c && Quantities.TryParseCpuMillis(Text(c), out cpu);
        _ = hw["memory"] is JsonValue m && Quantities.TryParseBytes(Text(m), out memory);
        GpuRequest? gpu = null;
        if (hw["gpu"] is JsonObject g)
        {
            var count = g["count"] is JsonValue n && double.TryParse(Text(n), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? (int)d : 1;
            _ = g["memory"] is JsonValue gm && Quantities.TryParseBytes(Text(gm), out gpuMemory);
            gpu = count > 0 ? new GpuRequest(g["type"] is JsonValue tv && tv.TryGetValue<string>(out var gt) ? gt : "any", count, gpuMemory) : null;
        }

        return WorkflowPlanner.Shape(new ResourceRequest(cpu, memory, gpu));
    }

    private static string Text(JsonValue value) => value.TryGetValue<string>(out var s) ? s : value.ToJsonString();
}
