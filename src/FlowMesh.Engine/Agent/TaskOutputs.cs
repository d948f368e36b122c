using System.Text.Json.Nodes;
using FlowMesh.Engine.Executors;
using FlowMesh.Engine.Runtime;

namespace FlowMesh.Engine.Agent;

/// <summary>Writes a finished attempt's results.json and logs.txt into its results directory (the same on every node).</summary>
internal static class TaskOutputs
{
    public static async Task WriteAsync(ExecutionRequest request, ExecutionOutcome outcome, IReadOnlyList<LogLine> lines, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(request.OutputDirectory);
        var results = new JsonObject
        {
            ["workflowId"] = request.WorkflowId,
            ["taskId"] = $"{request.WorkflowId}/{request.TaskName}",
            ["name"] = request.TaskName,
            ["taskType"] = request.TaskType,
            ["attempt"] = request.Attempt,
            ["status"] = outcome.Succeeded ? "succeeded" : "failed",
            ["result"] = outcome.Result?.DeepClone(),
            ["error"] = outcome.Error,
        };
        await File.WriteAllTextAsync(Path.Combine(request.OutputDirectory, "results.json"), results.ToJsonString(new() { WriteIndented = true }), cancellationToken).ConfigureAwait(false);
        await File.WriteAllLinesAsync(Path.Combine(request.OutputDirectory, "logs.txt"), lines.Select(l => $"{l.At:O} {l.Stream} {l.Text}"), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs one request on the executor for its type and turns every way it can go wrong into a failed outcome; only
    /// cancellation by the caller escapes (as <see cref="OperationCanceledException"/>).
    /// </summary>
    public static async Task<ExecutionOutcome> ExecuteAsync(IReadOnlyDictionary<string, IExecutor> executors, ExecutionRequest request, ITaskLog log, CancellationToken cancellationToken)
    {
        try
        {
            Directory.CreateDirectory(request.OutputDirectory);
            return executors.TryGetValue(request.TaskType, out var executor)
                ? await executor.ExecuteAsync(request, log, cancellationToken).ConfigureAwait(false)
                : ExecutionOutcome.Failure($"no executor for taskType '{request.TaskType}' on this node");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (ExecutionException ex)
        {
            return ExecutionOutcome.Failure(ex.Message);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException or FormatException or System.ComponentModel.Win32Exception
            or HttpRequestException or Containers.DockerException)
        {
            return ExecutionOutcome.Failure($"{request.TaskType} executor failed: {ex.Message}");
        }
    }
}
