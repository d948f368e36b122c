using System.Text.Json.Nodes;
using FlowMesh.Abstractions;
using FlowMesh.Engine.Agent;
using FlowMesh.Engine.Executors;
using FlowMesh.Engine.Runtime;
using EngineData = FlowMesh.Engine.Runtime.DataDirectory;

namespace FlowMesh.Runtime.Node;

public sealed partial class NodeAgent
{
    /// <summary>The last outcome this agent's reports got, per attempt (for tests and the agent's own log).</summary>
    internal System.Collections.Concurrent.ConcurrentDictionary<RunningAttempt, ReportOutcome> Outcomes { get; } = new();

    /// <summary>Raised when a report got its answer: what the task grain did with this node's outcome of an attempt.</summary>
    public event Action<RunningAttempt, ReportOutcome>? Reported;

    private async Task ExecuteAsync(WorkAssignment assignment, Run run)
    {
        var key = new RunningAttempt(assignment.Work.Task, assignment.Attempt);
        var task = _grains.GetGrain<ITaskGrain>(assignment.Work.Task.Key);
        try
        {
            var request = ToRequest(assignment);
            Task logging = Task.CompletedTask;
            using var log = new BufferedTaskLog(_time, _settings.LogBatchLines, lines =>
            {
                // Batches go one after another, so the workflow's log keeps the executor's order.
                var batch = ToEntries(lines);
                logging = logging.ContinueWith(_ => task.LogAsync(NodeId, assignment.Attempt, batch), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
            });
            ExecutionOutcome outcome;
            try
            {
                outcome = await TaskOutputs.ExecuteAsync(_executors, request, log, run.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (run.Token.IsCancellationRequested)
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

            try
            {
                await logging.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A lost log batch is not a lost outcome: the report carries the rest and results hold logs.txt.
                LogReportRetry(_logger, NodeId, key.Task.Key, key.Attempt, ex);
            }

            var report = new TaskReport(assignment.Work.Task, NodeId, assignment.Attempt, outcome.Succeeded, outcome.Result?.ToJsonString(), outcome.Error, ToEntries(log.Drain()));
            await ReportAsync(task, report, run.Token).ConfigureAwait(false);
        }
        finally
        {
            _runs.TryRemove(key, out _);
            run.Dispose();
        }
    }

    private async Task ReportAsync(ITaskGrain task, TaskReport report, CancellationToken cancellationToken)
    {
        var deadline = _time.GetUtcNow() + _settings.ReportPatience;
        var delay = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try
            {
                var outcome = await task.ReportAsync(report).ConfigureAwait(false);
                Outcomes[new RunningAttempt(report.Task, report.Attempt)] = outcome;
                Reported?.Invoke(new RunningAttempt(report.Task, report.Attempt), outcome);
                if (outcome == ReportOutcome.Stale)
                {
                    LogReported(_logger, NodeId, report.Task.Key, report.Attempt, outcome);
                }

                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException && !cancellationToken.IsCancellationRequested && _time.GetUtcNow() < deadline)
            {
                LogReportRetry(_logger, NodeId, report.Task.Key, report.Attempt, ex);
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }

    private ExecutionRequest ToRequest(WorkAssignment a)
    {
        var w = a.Work;
        var wf = w.Task.WorkflowId;
        var spec = JsonNode.Parse(w.SpecJson) as JsonObject ?? [];
        var upstream = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        if (JsonNode.Parse(w.UpstreamResultsJson) is JsonObject results)
        {
            foreach (var (name, value) in results)
            {
                upstream[name] = value?.DeepClone();
            }
        }

        var dirs = w.UpstreamTasks.ToDictionary(n => n, n => EngineData.ResultsOf(_settings.DataDirectory, wf, n), StringComparer.Ordinal);
        return new ExecutionRequest(wf, w.Name, w.TaskType, a.Attempt, spec, upstream, dirs,
            EngineData.ResultsOf(_settings.DataDirectory, wf, w.Name), EngineData.WorkOf(_settings.DataDirectory, wf, w.Name, a.Attempt), a.Gpus)
        {
            Resources = Client.WorkflowPlanner.Request(w.Resources),
            TraceParent = a.TraceParent,
        };
    }

    private static LogEntry[] ToEntries(IReadOnlyList<LogLine> lines) => [.. lines.Select(l => new LogEntry(l.At, l.Stream, l.Text))];
}
