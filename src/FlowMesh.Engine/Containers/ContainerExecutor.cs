using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using FlowMesh.Engine.Executors;

namespace FlowMesh.Engine.Containers;

/// <summary>
/// Runs a task as a container through the Docker Engine API: checks the image is present (never pulls), creates the
/// container with the task's limits and GPUs, follows its output live, waits for the exit code, kills it on cancel or
/// timeout, and always removes it. Serves the <c>container</c> task and FlowMesh's non-interactive <c>ssh</c> task.
/// </summary>
internal sealed class ContainerExecutor(string taskType, DockerClient docker, ContainerOptions options) : IExecutor
{
    public string TaskType { get; } = taskType;

    public bool IsAvailable => true;

    public async Task<ExecutionOutcome> ExecuteAsync(ExecutionRequest request, ITaskLog log, CancellationToken cancellationToken)
    {
        if (TaskType == "ssh" && request.Spec["interactive"] is JsonValue i && i.TryGetValue<bool>(out var interactive) && interactive)
        {
            return ExecutionOutcome.Failure("interactive ssh sessions are not supported by this node; set interactive: false and give a command");
        }

        var outputDir = Path.Combine(request.WorkDirectory, "output");
        Directory.CreateDirectory(outputDir);
        var body = ContainerSpec.Build(request, request.Resources, outputDir, options);
        var image = body["Image"]!.GetValue<string>();
        if (!await docker.ImageExistsAsync(image, cancellationToken).ConfigureAwait(false))
        {
            return ExecutionOutcome.Failure($"image {image} is not present on node {options.NodeLabel}; images are never pulled, load it first (docker load / podman load)");
        }

        var name = $"flowmesh-{Runtime.DataDirectory.SafeName(request.WorkflowId)}-{Runtime.DataDirectory.SafeName(request.TaskName)}-{request.Attempt}-{Guid.NewGuid().ToString("N")[..6]}";
        string id;
        try
        {
            id = await docker.CreateAsync(name, body, cancellationToken).ConfigureAwait(false);
        }
        catch (DockerException ex)
        {
            return ExecutionOutcome.Failure($"could not create the container: {ex.Message}");
        }

        var timeout = ContainerSpec.TimeoutSeconds(request.Spec, options);
        string? lastError = null;
        try
        {
            await docker.StartAsync(id, cancellationToken).ConfigureAwait(false);
            var logs = docker.FollowLogsAsync(id, tty: false, (stream, line) =>
            {
                if (stream == "stderr")
                {
                    lastError = line;
                }

                log.Write(stream, line);
            }, CancellationToken.None);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(TimeSpan.FromSeconds(timeout));
            long exitCode;
            try
            {
                exitCode = await docker.WaitAsync(id, deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                await docker.KillAsync(id, CancellationToken.None).ConfigureAwait(false);
                await docker.WaitAsync(id, CancellationToken.None).ConfigureAwait(false);
                await DrainAsync(logs).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                return ExecutionOutcome.Failure($"container timed out after {timeout.ToString("0.###", CultureInfo.InvariantCulture)}s and was killed");
            }

            await DrainAsync(logs).ConfigureAwait(false);
            if (exitCode != 0)
            {
                var why = exitCode == 137 ? " (killed: out of memory or SIGKILL)" : string.Empty;
                return ExecutionOutcome.Failure($"container exited with code {exitCode}{why}{(lastError is null ? string.Empty : $": {lastError}")}");
            }

            return ExecutionOutcome.Success(CollectResult(request, image, outputDir));
        }
        catch (DockerException ex)
        {
            return ExecutionOutcome.Failure($"container engine: {ex.Message}");
        }
        finally
        {
            try
            {
                await docker.RemoveAsync(id, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is DockerException or HttpRequestException)
            {
                log.Write("stderr", $"flowmesh: could not remove container {id[..12]}: {ex.Message}");
            }
        }
    }

    private static async Task DrainAsync(Task logs)
    {
        try
        {
            await logs.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or HttpRequestException or IOException or DockerException)
        {
            // The exit code decides the outcome; a log stream that breaks off loses only its tail.
        }
    }

    /// <summary>result.json in the output directory is the task's result; every file there becomes an artifact.</summary>
    private static JsonNode CollectResult(ExecutionRequest request, string image, string outputDir)
    {
        var files = Directory.EnumerateFiles(outputDir, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(outputDir, f)).Order(StringComparer.Ordinal).ToArray();
        var artifacts = Path.Combine(request.OutputDirectory, "artifacts");
        foreach (var file in files)
        {
            var target = Path.Combine(artifacts, file);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(Path.Combine(outputDir, file), target, overwrite: true);
        }

        var result = new JsonObject { ["exit_code"] = 0, ["image"] = image, ["artifacts"] = new JsonArray([.. files.Select(f => (JsonNode)f)]) };
        var resultFile = Path.Combine(outputDir, "result.json");
        if (File.Exists(resultFile))
        {
            try
            {
                result["value"] = JsonNode.Parse(File.ReadAllText(resultFile));
            }
            catch (JsonException ex)
            {
                throw new ExecutionException($"the container wrote an unreadable result.json: {ex.Message}");
            }
        }

        return result;
    }
}
