using System.Globalization;
using System.Text.Json.Nodes;
using FlowMesh.Engine.Executors;
using FlowMesh.Workflows;

namespace FlowMesh.Engine.Containers;

/// <summary>
/// Turns a task's spec into the Docker create body: image, command, env, working dir, mounts (upstream results read-only
/// under <c>/mnt/flowmesh/inputs/STAGE</c>, the output directory writable), CPU and memory limits from the task's
/// resources, the GPUs it was given as a device request, the network mode and labels naming the task.
/// </summary>
internal static class ContainerSpec
{
    public const string InputsRoot = "/mnt/flowmesh/inputs";
    public const string DefaultOutputPath = "/mnt/flowmesh/output";

    public static JsonObject Build(ExecutionRequest request, ResourceRequest resources, string outputHostDir, ContainerOptions options)
    {
        var spec = request.Spec;
        var image = Text(spec["image"]) ?? throw new ExecutionException($"{request.TaskType} task needs an 'image'");
        var body = new JsonObject
        {
            ["Image"] = image,
            ["Env"] = new JsonArray([.. Environment(request).Select(kv => (JsonNode)$"{kv.Key}={kv.Value}")]),
            ["Labels"] = new JsonObject
            {
                ["flowmesh.node"] = options.NodeLabel,
                ["flowmesh.workflow"] = request.WorkflowId,
                ["flowmesh.task"] = request.TaskName,
                ["flowmesh.attempt"] = request.Attempt.ToString(CultureInfo.InvariantCulture),
            },
            ["AttachStdout"] = true,
            ["AttachStderr"] = true,
            ["Tty"] = false,
        };

        var (entrypoint, cmd) = Command(request);
        if (entrypoint is not null)
        {
            body["Entrypoint"] = new JsonArray([.. entrypoint.Select(s => (JsonNode)s)]);
        }

        if (cmd is not null)
        {
            body["Cmd"] = new JsonArray([.. cmd.Select(s => (JsonNode)s)]);
        }

        if (Text(spec["workingDir"]) is { } workingDir)
        {
            body["WorkingDir"] = workingDir;
        }

        var host = new JsonObject
        {
            ["Binds"] = new JsonArray([.. Binds(request, outputHostDir, options).Select(b => (JsonNode)b)]),
            ["NetworkMode"] = Text(spec["network"]) ?? options.DefaultNetwork,
            ["Init"] = true,
            ["AutoRemove"] = false,
        };
        if (resources.MemoryBytes > 0)
        {
            host["Memory"] = resources.MemoryBytes;
        }

        if (resources.CpuMillis > 0)
        {
            host["NanoCpus"] = resources.CpuMillis * 1_000_000;
        }

        if (request.GpuIndices.Count > 0)
        {
            host["DeviceRequests"] = GpuDeviceRequests(request.GpuIndices);
        }

        body["HostConfig"] = host;
        return body;
    }

    /// <summary>The task's GPUs, by index, as the Docker API's NVIDIA device request.</summary>
    public static JsonArray GpuDeviceRequests(IReadOnlyList<int> gpus) => new(new JsonObject
    {
        ["Driver"] = "nvidia",
        ["DeviceIDs"] = new JsonArray([.. gpus.Select(i => (JsonNode)i.ToString(CultureInfo.InvariantCulture))]),
        ["Capabilities"] = new JsonArray(new JsonArray("gpu")),
    });

    /// <summary>
    /// Where each upstream stage's results are mounted: the task's declared <c>inputs</c> (at their mountPath, else
    /// under <see cref="InputsRoot"/>), or, when it declares none, every upstream stage under <see cref="InputsRoot"/>.
    /// </summary>
    public static IEnumerable<(string Stage, string HostDirectory, string MountPath)> InputMounts(ExecutionRequest request)
    {
        if (request.Spec["inputs"] is JsonArray inputs)
        {
            foreach (var input in inputs.OfType<JsonObject>())
            {
                var stage = Text(input["stage"]) ?? throw new ExecutionException("inputs[]: each input needs a 'stage'");
                if (!request.UpstreamDirectories.TryGetValue(stage, out var dir))
                {
                    throw new ExecutionException($"inputs[]: stage '{stage}' is not upstream of this task");
                }

                yield return (stage, dir, Text(input["mountPath"]) ?? $"{InputsRoot}/{stage}");
            }
        }
        else
        {
            foreach (var (stage, dir) in request.UpstreamDirectories)
            {
                yield return (stage, dir, $"{InputsRoot}/{Runtime.DataDirectory.SafeName(stage)}");
            }
        }
    }

    /// <summary>Where the task writes its outputs inside the container.</summary>
    public static string OutputPath(JsonObject spec) =>
        Text(spec["sshOutput"]?["mountPath"]) ?? Text(spec["outputPath"]) ?? DefaultOutputPath;

    public static double TimeoutSeconds(JsonObject spec, ContainerOptions options)
    {
        foreach (var key in new[] { "timeoutSeconds", "ttlSeconds" })
        {
            if (spec[key] is JsonValue v && double.TryParse(v.ToJsonString().Trim('"'), NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s > 0)
            {
                return s;
            }
        }

        return options.DefaultTimeoutSeconds;
    }

    private static (IReadOnlyList<string>? Entrypoint, IReadOnlyList<string>? Cmd) Command(ExecutionRequest request)
    {
        var spec = request.Spec;
        var entrypoint = Strings(spec["entrypoint"]);
        var command = Strings(spec["command"]);
        var args = Strings(spec["args"]);
        IReadOnlyList<string>? cmd = command is null && args is null ? null : [.. command ?? [], .. args ?? []];
        return (entrypoint, cmd);
    }

    private static IEnumerable<KeyValuePair<string, string>> Environment(ExecutionRequest request)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        if (request.Spec["env"] is JsonObject declared)
        {
            foreach (var (key, value) in declared)
            {
                env[key] = value is JsonValue v && v.TryGetValue<string>(out var s) ? s : value?.ToJsonString() ?? string.Empty;
            }
        }

        env["FLOWMESH_WORKFLOW_ID"] = request.WorkflowId;
        env["FLOWMESH_TASK"] = request.TaskName;
        env["FLOWMESH_ATTEMPT"] = request.Attempt.ToString(CultureInfo.InvariantCulture);
        env["FLOWMESH_OUTPUT"] = OutputPath(request.Spec);
        env["FLOWMESH_INPUTS"] = InputsRoot;
        if (request.TraceParent is { } traceParent)
        {
            env["TRACEPARENT"] = traceParent;
        }

        return env;
    }

    private static IEnumerable<string> Binds(ExecutionRequest request, string outputHostDir, ContainerOptions options)
    {
        var spec = request.Spec;
        yield return $"{outputHostDir}:{OutputPath(spec)}:rw";
        foreach (var (_, dir, mountPath) in InputMounts(request))
        {
            yield return $"{dir}:{mountPath}:ro";
        }

        foreach (var bind in options.ExtraBinds)
        {
            yield return bind;
        }

        // Binds the node itself adds (a training config, an unpacked checkpoint); never taken from a workflow's text.
        if (spec["extraBinds"] is JsonArray extra && request.TaskType is not ("container" or "ssh"))
        {
            foreach (var bind in extra.OfType<JsonValue>().Select(b => b.GetValue<string>()))
            {
                yield return bind;
            }
        }

        if (spec["mounts"] is JsonArray mounts)
        {
            foreach (var mount in mounts.OfType<JsonObject>())
            {
                var source = Text(mount["source"]) ?? throw new ExecutionException("mounts[]: each mount needs a 'source'");
                var target = Text(mount["target"]) ?? throw new ExecutionException("mounts[]: each mount needs a 'target'");
                var full = Path.GetFullPath(source);
                if (!options.AllowedMountRoots.Any(root => full == root || full.StartsWith(root.TrimEnd('/') + "/", StringComparison.Ordinal)))
                {
                    throw new ExecutionException(options.AllowedMountRoots.Count == 0
                        ? $"mounts[]: host mounts are disabled on this node (asked for {source})"
                        : $"mounts[]: {source} is outside the node's allowed mount roots ({string.Join(", ", options.AllowedMountRoots)})");
                }

                yield return $"{full}:{target}:{(mount["readOnly"] is JsonValue ro && ro.TryGetValue<bool>(out var r) && !r ? "rw" : "ro")}";
            }
        }
    }

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static List<string>? Strings(JsonNode? node) => node switch
    {
        JsonArray a => [.. a.Select(x => x is JsonValue v && v.TryGetValue<string>(out var s) ? s : x?.ToJsonString() ?? string.Empty)],
        JsonValue v when v.TryGetValue<string>(out var s) => ["/bin/sh", "-c", s],
        _ => null,
    };
}
