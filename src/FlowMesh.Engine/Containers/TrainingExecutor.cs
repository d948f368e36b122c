using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json.Nodes;
using FlowMesh.Engine.Executors;

namespace FlowMesh.Engine.Containers;

/// <summary>
/// FlowMesh's training tasks (sft, lora_sft, dpo, ppo) as container jobs. The spec's model, data, training, lora and
/// other settings become <c>/mnt/flowmesh/config.json</c>; a checkpoint named by <c>checkpoint.load.url</c> (an
/// upstream stage's <c>final_model_archive</c>) is unpacked read-only at <c>/mnt/flowmesh/checkpoint</c>; the trainer
/// writes its model to <c>/mnt/flowmesh/output/final_model</c>, which is packed as the artifact
/// <c>final_model.tar.gz</c> and named in the result as <c>final_model_archive</c> for the next stage.
/// </summary>
internal sealed class TrainingExecutor(string taskType, DockerClient docker, ContainerOptions options) : IExecutor
{
    public const string ArchiveScheme = "flowmesh://";
    private const string ConfigPath = "/mnt/flowmesh/config.json";
    private const string CheckpointPath = "/mnt/flowmesh/checkpoint";
    private readonly ContainerExecutor _runner = new(taskType, docker, options);

    public string TaskType { get; } = taskType;

    public bool IsAvailable => true;

    public async Task<ExecutionOutcome> ExecuteAsync(ExecutionRequest request, ITaskLog log, CancellationToken cancellationToken)
    {
        if (!options.TrainingImages.TryGetValue(TaskType, out var image))
        {
            return ExecutionOutcome.Failure($"no trainer image is configured for {TaskType} on this node (flowmesh node --train-image {TaskType}=IMAGE)");
        }

        Directory.CreateDirectory(request.WorkDirectory);
        var config = new JsonObject { ["taskType"] = TaskType, ["output_dir"] = $"{ContainerSpec.DefaultOutputPath}/final_model" };
        foreach (var (key, value) in request.Spec.Where(kv => kv.Key is not ("resources" or "output" or "dependsOn" or "condition" or "_upstreamResults" or "taskType")))
        {
            config[key] = value?.DeepClone();
        }

        var configFile = Path.Combine(request.WorkDirectory, "config.json");
        await File.WriteAllTextAsync(configFile, config.ToJsonString(new() { WriteIndented = true }), cancellationToken).ConfigureAwait(false);
        var binds = new JsonArray { $"{configFile}:{ConfigPath}:ro" };
        if (request.Spec["checkpoint"]?["load"]?["url"] is JsonValue url && url.TryGetValue<string>(out var archive) && archive.Length > 0)
        {
            var unpacked = Path.Combine(request.WorkDirectory, "checkpoint");
            await UnpackAsync(Locate(archive, request), unpacked, cancellationToken).ConfigureAwait(false);
            binds.Add($"{unpacked}:{CheckpointPath}:ro");
            log.Write("stdout", $"{TaskType}: resuming from {archive}");
        }

        var job = (JsonObject)request.Spec.DeepClone();
        job["image"] = image;
        job["network"] ??= options.DefaultNetwork;
        job["env"] = new JsonObject { ["FLOWMESH_CONFIG"] = ConfigPath, ["FLOWMESH_CHECKPOINT"] = CheckpointPath };
        if (options.TrainingEntrypoints.TryGetValue(TaskType, out var entrypoint))
        {
            job["entrypoint"] = new JsonArray([.. entrypoint.Select(e => (JsonNode)e)]);
        }

        job["args"] = new JsonArray("--config", ConfigPath);
        job["extraBinds"] = binds;
        var outcome = await _runner.ExecuteAsync(request with { Spec = job }, log, cancellationToken).ConfigureAwait(false);
        if (!outcome.Succeeded)
        {
            return outcome;
        }

        var result = outcome.Result!.AsObject();
        var model = Path.Combine(request.WorkDirectory, "output", "final_model");
        if (Directory.Exists(model))
        {
            var archivePath = Path.Combine(request.OutputDirectory, "artifacts", "final_model.tar.gz");
            await PackAsync(model, archivePath, cancellationToken).ConfigureAwait(false);
            result["final_model_archive"] = $"{ArchiveScheme}{request.WorkflowId}/{request.TaskName}/artifacts/final_model.tar.gz";
            result["final_model_bytes"] = new FileInfo(archivePath).Length;
        }

        var metrics = Path.Combine(request.WorkDirectory, "output", "metrics.json");
        if (File.Exists(metrics))
        {
            result["metrics"] = JsonNode.Parse(await File.ReadAllTextAsync(metrics, cancellationToken).ConfigureAwait(false));
        }

        return ExecutionOutcome.Success(result);
    }

    /// <summary>
    /// Finds an upstream archive: <c>flowmesh://WORKFLOW/STAGE/PATH</c> names a file in that stage's results, which
    /// this node sees through the stage's directory; a plain path must lie inside one of the upstream directories.
    /// </summary>
    private static string Locate(string archive, ExecutionRequest request)
    {
        if (archive.StartsWith(ArchiveScheme, StringComparison.Ordinal))
        {
            var parts = archive[ArchiveScheme.Length..].Split('/', 3);
            if (parts.Length == 3 && parts[0] == request.WorkflowId && request.UpstreamDirectories.TryGetValue(parts[1], out var dir))
            {
                var file = Path.GetFullPath(Path.Combine(dir, parts[2]));
                if (file.StartsWith(Path.GetFullPath(dir) + Path.DirectorySeparatorChar, StringComparison.Ordinal) && File.Exists(file))
                {
                    return file;
                }

                throw new ExecutionException($"checkpoint {archive}: stage {parts[1]} has no such file on this node");
            }

            throw new ExecutionException($"checkpoint {archive}: not an archive of an upstream stage of this workflow");
        }

        throw new ExecutionException($"checkpoint.load.url '{archive}' is not an upstream stage's final_model_archive (downloading checkpoints from URLs is not supported)");
    }

    private static async Task PackAsync(string directory, string archive, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(archive)!);
        var file = File.Create(archive);
        await using (file.ConfigureAwait(false))
        {
            var gzip = new GZipStream(file, CompressionLevel.Fastest);
            await using (gzip.ConfigureAwait(false))
            {
                await TarFile.CreateFromDirectoryAsync(directory, gzip, includeBaseDirectory: false, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static async Task UnpackAsync(string archive, string directory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var file = File.OpenRead(archive);
        await using (file.ConfigureAwait(false))
        {
            var gzip = new GZipStream(file, CompressionMode.Decompress);
            await using (gzip.ConfigureAwait(false))
            {
                await TarFile.ExtractToDirectoryAsync(gzip, directory, overwriteFiles: true, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
