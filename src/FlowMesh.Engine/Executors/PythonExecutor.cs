using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace FlowMesh.Engine.Executors;

/// <summary>
/// FlowMesh's <c>python</c> task as a local process: the code's <c>entrypoint(inputs)</c> runs under python3 with
/// each upstream stage's result directory as its input; stdout and stderr become log lines; the timeout kills the whole
/// process tree. (Container isolation is the container executor's job.)
/// </summary>
internal sealed class PythonExecutor(string interpreter, Containers.ContainerExecutor? containers = null) : IExecutor
{
    private const string ContainerWork = "/mnt/flowmesh/work";

    public const double DefaultTimeoutSeconds = 600;

    public string TaskType => "python";

    public bool IsAvailable { get; } = FindOnPath(interpreter) is not null || containers is not null;

    public async Task<ExecutionOutcome> ExecuteAsync(ExecutionRequest request, ITaskLog log, CancellationToken cancellationToken)
    {
        var spec = request.Spec;
        Directory.CreateDirectory(request.WorkDirectory);
        var outputDir = Path.Combine(request.WorkDirectory, "output");
        Directory.CreateDirectory(outputDir);
        var codePath = Path.Combine(request.WorkDirectory, "flowmesh_task.py");
        var bootstrapPath = Path.Combine(request.WorkDirectory, "flowmesh_run.py");
        await File.WriteAllTextAsync(codePath, spec["code"]?.GetValue<string>() ?? string.Empty, cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(bootstrapPath, PythonBootstrap.Source, cancellationToken).ConfigureAwait(false);

        if (spec["image"] is JsonValue image && image.TryGetValue<string>(out var imageName))
        {
            return await RunInContainerAsync(request, imageName, outputDir, log, cancellationToken).ConfigureAwait(false);
        }

        var inputs = new JsonObject();
        if (spec["inputs"] is JsonArray declared)
        {
            foreach (var stage in declared.Select(i => i?["stage"]?.GetValue<string>()).OfType<string>())
            {
                inputs[stage] = request.UpstreamDirectories.TryGetValue(stage, out var dir) ? dir : null;
            }
        }
        else
        {
            foreach (var (stage, dir) in request.UpstreamDirectories)
            {
                inputs[stage] = dir;
            }
        }

        var psi = new ProcessStartInfo(interpreter)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = request.WorkDirectory,
        };
        psi.ArgumentList.Add(bootstrapPath);
        if (spec["env"] is JsonObject env)
        {
            foreach (var (key, value) in env)
            {
                psi.Environment[key] = value is JsonValue v && v.TryGetValue<string>(out var s) ? s : value?.ToJsonString() ?? string.Empty;
            }
        }

        psi.Environment["FLOWMESH_PY_CODE"] = codePath;
        psi.Environment["FLOWMESH_PY_ENTRYPOINT"] = spec["entrypoint"]?.GetValue<string>() ?? "main";
        psi.Environment["FLOWMESH_PY_INPUTS"] = inputs.ToJsonString();
        psi.Environment["FLOWMESH_PY_OUTPUT"] = outputDir;
        psi.Environment["PYTHONUNBUFFERED"] = "1";
        psi.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        psi.Environment["CUDA_VISIBLE_DEVICES"] = string.Join(',', request.GpuIndices);
        if (request.TraceParent is { } traceParent)
        {
            psi.Environment["TRACEPARENT"] = traceParent;
        }

        var timeout = spec["timeoutSeconds"] is JsonValue t && double.TryParse(t.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
            ? seconds
            : DefaultTimeoutSeconds;
        using var process = Process.Start(psi) ?? throw new ExecutionException($"could not start {interpreter}");
        process.StandardInput.Close();
        var stdout = PumpAsync(process.StandardOutput, "stdout", log);
        var stderr = PumpAsync(process.StandardError, "stderr", log);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(timeout));
        try
        {
            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            await Task.WhenAll(stdout, stderr).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            return ExecutionOutcome.Failure($"python task timed out after {timeout.ToString("0.###", CultureInfo.InvariantCulture)}s and was killed");
        }

        await Task.WhenAll(stdout, stderr).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            return ExecutionOutcome.Failure(FailureMessage(outputDir, process.ExitCode));
        }

        return ExecutionOutcome.Success(ReadResult(outputDir, spec["emits"] as JsonArray));
    }

    /// <summary>
    /// A python task with an <c>image</c> runs the same bootstrap inside that image: its code and bootstrap mounted
    /// read-only, upstream results under <c>/mnt/flowmesh/inputs</c>, the output directory writable, the task's limits
    /// and GPUs applied by the container executor.
    /// </summary>
    private async Task<ExecutionOutcome> RunInContainerAsync(ExecutionRequest request, string image, string outputDir, ITaskLog log, CancellationToken cancellationToken)
    {
        if (containers is null)
        {
            return ExecutionOutcome.Failure($"python task asks for image {image}, but this node has no container engine (DOCKER_HOST)");
        }

        var spec = request.Spec;
        var inputs = new JsonObject();
        foreach (var (stage, _, mountPath) in Containers.ContainerSpec.InputMounts(request))
        {
            inputs[stage] = mountPath;
        }

        var env = spec["env"] as JsonObject is { } declaredEnv ? (JsonObject)declaredEnv.DeepClone() : [];
        env["FLOWMESH_PY_CODE"] = $"{ContainerWork}/flowmesh_task.py";
        env["FLOWMESH_PY_ENTRYPOINT"] = spec["entrypoint"]?.GetValue<string>() ?? "main";
        env["FLOWMESH_PY_INPUTS"] = inputs.ToJsonString();
        env["FLOWMESH_PY_OUTPUT"] = Containers.ContainerSpec.DefaultOutputPath;
        env["PYTHONUNBUFFERED"] = "1";
        env["PYTHONDONTWRITEBYTECODE"] = "1";
        var job = new JsonObject
        {
            ["image"] = image,
            ["command"] = new JsonArray("python3", $"{ContainerWork}/flowmesh_run.py"),
            ["env"] = env,
            ["network"] = spec["network"]?.DeepClone() ?? "none",
            ["timeoutSeconds"] = spec["timeoutSeconds"]?.DeepClone() ?? DefaultTimeoutSeconds,
            ["extraBinds"] = new JsonArray($"{request.WorkDirectory}:{ContainerWork}:ro"),
        };
        if (spec["inputs"] is JsonArray list)
        {
            job["inputs"] = list.DeepClone();
        }

        var outcome = await containers.ExecuteAsync(request with { Spec = job }, log, cancellationToken).ConfigureAwait(false);
        if (!outcome.Succeeded)
        {
            return File.Exists(Path.Combine(outputDir, "error.json")) ? ExecutionOutcome.Failure(FailureMessage(outputDir, 1)) : outcome;
        }

        return ExecutionOutcome.Success(ReadResult(outputDir, spec["emits"] as JsonArray));
    }

    private static JsonNode ReadResult(string outputDir, JsonArray? emits)
    {
        var resultFile = Path.Combine(outputDir, "result.json");
        if (!File.Exists(resultFile))
        {
            throw new ExecutionException("python task exited without writing a result");
        }

        var value = Parse(resultFile);
        var metricsFile = Path.Combine(outputDir, "metrics.json");
        var metrics = File.Exists(metricsFile) ? Parse(metricsFile) as JsonObject ?? [] : [];
        var missing = emits?.Select(e => e?.GetValue<string>()).OfType<string>().Where(name => !metrics.ContainsKey(name)).ToList() ?? [];
        if (missing.Count > 0)
        {
            throw new ExecutionException($"python task did not report declared emits [{string.Join(", ", missing)}]");
        }

        return new JsonObject { ["exit_code"] = 0, ["value"] = value, ["metrics"] = metrics };
    }

    private static JsonNode? Parse(string file)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(file));
        }
        catch (JsonException ex)
        {
            throw new ExecutionException($"python task wrote an unreadable {Path.GetFileName(file)}: {ex.Message}");
        }
    }

    private static string FailureMessage(string outputDir, int exitCode)
    {
        var errorFile = Path.Combine(outputDir, "error.json");
        if (File.Exists(errorFile) && Parse(errorFile) is JsonObject error && error["message"] is not null)
        {
            return $"python task failed: {error["type"]}: {error["message"]}";
        }

        return $"python task exited with code {exitCode}";
    }

    private static async Task PumpAsync(StreamReader reader, string stream, ITaskLog log)
    {
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            log.Write(stream, line);
        }
    }

    internal static string? FindOnPath(string program)
    {
        if (Path.IsPathRooted(program))
        {
            return File.Exists(program) ? program : null;
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        return path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program))
            .FirstOrDefault(File.Exists);
    }
}
