using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using FlowMesh.Engine.Executors;
using FlowMesh.Engine.Runtime;
using FlowMesh.Engine.Secrets;

namespace FlowMesh.Engine.Agent;

/// <summary>Writes a finished attempt's results.json and logs.txt into its results directory (the same on every node).</summary>
internal static class TaskOutputs
{
    // One instance: a new options object per call would build (and emit code for) its serializer metadata every time.
    private static readonly System.Text.Json.JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <remarks>
    /// Synchronous on purpose: both files are small, and on Unix an async file write is the same write on a pool thread
    /// plus two thread hops, which cost more than the write itself for every task.
    /// </remarks>
    /// <returns>The outcome as written: with the request's secret values redacted.</returns>
    public static ExecutionOutcome Write(ExecutionRequest request, ExecutionOutcome outcome, IReadOnlyList<LogLine> lines)
    {
        // ExecuteAsync made it; a stat is far cheaper than a mkdir that fails with EEXIST on a slow file system.
        if (!Directory.Exists(request.OutputDirectory))
        {
            Directory.CreateDirectory(request.OutputDirectory);
        }

        if (request.Redact.Count > 0)
        {
            // The files outlive the run and the outcome is reported: a secret the task returned must not land in either.
            // (The lines come from the task's log buffer, which redacted them as they were written.)
            outcome = outcome with
            {
                Result = outcome.Result is { } r ? JsonNode.Parse(SecretRedaction.Apply(r.ToJsonString(), request.Redact)) : null,
                Error = outcome.Error is { } e ? SecretRedaction.Apply(e, request.Redact) : null,
            };
        }

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
        WriteFile(Path.Combine(request.OutputDirectory, "results.json"), Encoding.UTF8.GetBytes(results.ToJsonString(Indented)));
        var log = new StringBuilder();
        foreach (var l in lines)
        {
            log.Append(l.At.ToString("O", CultureInfo.InvariantCulture)).Append(' ').Append(l.Stream).Append(' ').Append(l.Text).Append('\n');
        }

        WriteFile(Path.Combine(request.OutputDirectory, "logs.txt"), Encoding.UTF8.GetBytes(log.ToString()));
        return outcome;
    }

    /// <summary>
    /// One open, one write, one close: FileShare.ReadWrite takes no advisory lock, and the whole content goes in one
    /// positional write (File.WriteAllText also locks, seeks and truncates, a syscall each, for every file).
    /// </summary>
    private static void WriteFile(string path, byte[] content)
    {
        using var handle = File.OpenHandle(path, FileMode.Create, FileAccess.Write, FileShare.ReadWrite);
        RandomAccess.Write(handle, content, 0);
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
