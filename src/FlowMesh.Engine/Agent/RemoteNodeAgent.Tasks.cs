using FlowMesh.Engine.Agent.Protocol;
using FlowMesh.Engine.Executors;
using FlowMesh.Engine.Runtime;

namespace FlowMesh.Engine.Agent;

internal sealed partial class RemoteNodeAgent
{
    /// <summary>
    /// One attempt: upstream results become input files, the executor runs, lines stream to the server in order, the
    /// results directory is uploaded and the end reported. A cancelled attempt reports nothing: the server already
    /// moved on, and anything it sent would be refused.
    /// </summary>
    private async Task RunTaskAsync(WorkItem item, TaskLease lease, CancellationToken cancellationToken)
    {
        var root = Path.Combine(options.WorkDirectory, "tasks", DataDirectory.SafeName(item.WorkflowId), $"{DataDirectory.SafeName(item.TaskName)}.{item.Attempt}");
        var inputs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (stage, result) in item.UpstreamResults)
        {
            var dir = Path.Combine(root, "inputs", DataDirectory.SafeName(stage));
            Directory.CreateDirectory(dir);
            await File.WriteAllTextAsync(Path.Combine(dir, "results.json"), new System.Text.Json.Nodes.JsonObject { ["result"] = Clone(result) }.ToJsonString(), cancellationToken)
                .ConfigureAwait(false);
            inputs[stage] = dir;
        }

        // Upstream files a task names (a checkpoint archive, flowmesh://WORKFLOW/STAGE/PATH) come from the server.
        foreach (var (stage, path) in ArchiveReferences(item))
        {
            if (!inputs.TryGetValue(stage, out var dir))
            {
                inputs[stage] = dir = Path.Combine(root, "inputs", DataDirectory.SafeName(stage));
            }

            if (!await _http.DownloadInputAsync(NodeId, lease, stage, path, Path.Combine(dir, path), cancellationToken).ConfigureAwait(false))
            {
                return;
            }
        }

        var request = new ExecutionRequest(item.WorkflowId, item.TaskName, item.TaskType, item.Attempt, item.Spec, item.UpstreamResults, inputs,
            Path.Combine(root, "results"), Path.Combine(root, "work"), item.Gpus) { Resources = item.Resources, TraceParent = item.TraceParent, Redact = item.Redact ?? [] };
        var lines = LogChannel();
        var log = new BufferedTaskLog(time, options.LogBatchLines, batch => lines.Writer.TryWrite(batch)) { Redact = request.Redact };
        var sender = Task.Run(() => SendLogsAsync(lease, lines.Reader, cancellationToken), CancellationToken.None);
        ExecutionOutcome outcome;
        try
        {
            outcome = await TaskOutputs.ExecuteAsync(_byType, request, log, cancellationToken).ConfigureAwait(false);
            outcome = TaskOutputs.Write(request, outcome, log.All);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            lines.Writer.TryComplete();
            return;
        }
        catch (IOException ex)
        {
            outcome = ExecutionOutcome.Failure($"could not write results: {ex.Message}");
        }

        // Take what is still buffered before the channel closes: a batch timer firing after that could not queue its
        // lines any more, and they would be lost. They go with the final report instead.
        var tail = log.Drain();
        lines.Writer.TryComplete();
        await Quiet(sender).ConfigureAwait(false);
        try
        {
            foreach (var file in Directory.EnumerateFiles(request.OutputDirectory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                var relative = Path.GetRelativePath(request.OutputDirectory, file);
                try
                {
                    if (!await _http.UploadAsync(NodeId, lease, relative, file, cancellationToken).ConfigureAwait(false))
                    {
                        say($"{item.WorkflowId}/{item.TaskName} attempt {item.Attempt}: the lease is gone; dropping its results");
                        return;
                    }
                }
                catch (HttpRequestException ex) when (ex.StatusCode is { } status && (int)status is >= 400 and < 500)
                {
                    // The server refuses this file for good: running the task again would end the same way, so it fails now.
                    outcome = ExecutionOutcome.Failure($"the server refused result file {relative}: {ex.Message}");
                    break;
                }
            }

            var accepted = await ReportEndAsync(lease, new TaskReport(item.Attempt, true, outcome.Succeeded, outcome.Result, outcome.Error, tail), cancellationToken)
                .ConfigureAwait(false);
            say($"{item.WorkflowId}/{item.TaskName} attempt {item.Attempt} {(outcome.Succeeded ? "succeeded" : "failed")}{(accepted ? string.Empty : " (report refused: the lease had passed on)")}");
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
        {
            // The lease runs out on the server and the task runs again; nothing here can make the report land now.
            say($"{item.WorkflowId}/{item.TaskName} attempt {item.Attempt}: could not report: {ex.Message}");
        }
    }

    /// <summary>
    /// Sends the end of a task until the server answers: a lost answer or a replica that went away is retried (the
    /// server applies the same report once and answers it the same again), for as long as a lease lasts.
    /// </summary>
    private async Task<bool> ReportEndAsync(TaskLease lease, TaskReport report, CancellationToken cancellationToken)
    {
        var giveUp = time.GetUtcNow() + TimeSpan.FromSeconds(Math.Max(30, (_welcome?.LeaseSeconds ?? 15) * 2));
        var backoff = TimeSpan.FromMilliseconds(200);
        while (true)
        {
            try
            {
                return await _http.ReportAsync(NodeId, lease, report, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException ex) when ((ex.StatusCode is null || (int)ex.StatusCode >= 500) && time.GetUtcNow() < giveUp)
            {
                await Task.Delay(backoff, time, cancellationToken).ConfigureAwait(false);
                backoff = TimeSpan.FromMilliseconds(Math.Min(2000, backoff.TotalMilliseconds * 2));
            }
        }
    }

    private static IEnumerable<(string Stage, string Path)> ArchiveReferences(WorkItem item)
    {
        var prefix = $"{Containers.TrainingExecutor.ArchiveScheme}{item.WorkflowId}/";

        // Upstream results are carried inline; only what the task's own spec names is fetched.
        foreach (var value in Results.JsonTree.Descendants(item.Spec.Where(kv => kv.Key != "_upstreamResults").Select(kv => kv.Value)).OfType<System.Text.Json.Nodes.JsonValue>())
        {
            if (value.TryGetValue<string>(out var s) && s.StartsWith(prefix, StringComparison.Ordinal))
            {
                var parts = s[prefix.Length..].Split('/', 2);
                if (parts.Length == 2 && !parts[1].Split('/').Any(p => p is ".." or "." or ""))
                {
                    yield return (parts[0], parts[1]);
                }
            }
        }
    }

    private async Task SendLogsAsync(TaskLease lease, System.Threading.Channels.ChannelReader<IReadOnlyList<LogLine>> reader, CancellationToken cancellationToken)
    {
        await foreach (var batch in reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!await _http.ReportAsync(NodeId, lease, new TaskReport(lease.Attempt, false, false, null, null, batch), cancellationToken).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    /// <summary>Stops taking work, gives running tasks the drain deadline, hands back the rest and leaves.</summary>
    private async Task DrainAsync()
    {
        _draining = true;
        var welcome = _welcome;
        if (welcome is null)
        {
            return;
        }

        say($"draining: {_running.Count} task(s) running, waiting up to {options.DrainTimeout.TotalSeconds:0.##}s");
        try
        {
            await _http.HeartbeatAsync(NodeId, new Heartbeat(welcome.Epoch, [.. _running.Keys], Draining: true), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or StaleEpochException or OperationCanceledException)
        {
        }

        var all = Task.WhenAll(_running.Values.Select(e => Quiet(e.Run)));
        await Task.WhenAny(all, Task.Delay(options.DrainTimeout, time)).ConfigureAwait(false);
        var handBack = _running.Keys.ToList();
        foreach (var lease in handBack)
        {
            if (_running.TryGetValue(lease, out var entry))
            {
                await entry.Cts.CancelAsync().ConfigureAwait(false);
            }
        }

        await all.ConfigureAwait(false);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _http.LeaveAsync(NodeId, new LeaveRequest(welcome.Epoch, handBack), timeout.Token).ConfigureAwait(false);
            say($"left the server{(handBack.Count > 0 ? $", handed back {handBack.Count} task(s)" : string.Empty)}");
        }
        catch (Exception ex) when (ex is HttpRequestException or StaleEpochException or OperationCanceledException)
        {
            say($"could not say goodbye ({ex.Message}); the server finds the node lost when its lease runs out");
        }
    }
}
