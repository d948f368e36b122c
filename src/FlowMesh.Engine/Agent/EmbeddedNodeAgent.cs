using System.Collections.Concurrent;
using FlowMesh.Engine.Executors;
using FlowMesh.Engine.Runtime;

namespace FlowMesh.Engine.Agent;

/// <summary>
/// The node agent inside the <c>flowmesh run</c> process: runs each placed task's executor, writes results.json and the
/// log under the data directory, and reports back to the engine's mailbox with the attempt it was given.
/// </summary>
internal sealed class EmbeddedNodeAgent(IReadOnlyList<IExecutor> executors, EngineOptions options, TimeProvider time, Action<EngineCommand> report) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<(string, int), (CancellationTokenSource Cts, Task Run)> _running = new();
    private readonly Dictionary<string, IExecutor> _byType = executors.ToDictionary(e => e.TaskType, StringComparer.Ordinal);

    public void Launch(Assignment assignment)
    {
        var cts = new CancellationTokenSource();
        var run = Task.Run(() => RunAsync(assignment, cts.Token), CancellationToken.None);
        _running[(assignment.WorkflowId, assignment.Index)] = (cts, run);
        _ = run.ContinueWith(_ =>
        {
            if (_running.TryRemove((assignment.WorkflowId, assignment.Index), out var entry) && entry.Run == run)
            {
                entry.Cts.Dispose();
            }
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    public void Stop(string workflowId, int index)
    {
        if (_running.TryGetValue((workflowId, index), out var entry))
        {
            entry.Cts.Cancel();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var entry in _running.Values)
        {
            entry.Cts.Cancel();
        }

        try
        {
            await Task.WhenAll(_running.Values.Select(e => e.Run)).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        foreach (var disposable in executors.OfType<IAsyncDisposable>())
        {
            await disposable.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task RunAsync(Assignment assignment, CancellationToken cancellationToken)
    {
        var request = assignment.Request;
        var log = new BufferedTaskLog(time, options.LogBatchLines, lines => report(new EngineCommand.Logs(assignment.WorkflowId, assignment.Index, request.Attempt, lines))) { Redact = request.Redact };
        ExecutionOutcome outcome;
        try
        {
            outcome = await TaskOutputs.ExecuteAsync(_byType, request, log, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }

        try
        {
            outcome = TaskOutputs.Write(request, outcome, log.All);
        }
        catch (IOException ex)
        {
            outcome = ExecutionOutcome.Failure($"could not write results: {ex.Message}");
        }

        report(new EngineCommand.Finished(assignment.WorkflowId, assignment.Index, request.Attempt, outcome.Succeeded, outcome.Result, outcome.Error, log.Drain()));
    }
}
