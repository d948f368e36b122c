using System.Diagnostics;
using System.Globalization;
using FlowMesh.Client.Models;

namespace FlowMesh.Bench;

/// <summary>
/// Signal to resume: a workflow waits at an approval gate; the bench posts the signal (token in hand, no API key) and
/// times its answer and the moment the watcher sees the task after the gate placed on a node (its Running event over
/// SSE), both on the bench's own clock.
/// </summary>
internal static class SignalLatency
{
    private const string Gated = """
        {"apiVersion": "flowmesh/v1", "kind": "Workflow", "metadata": {"name": "gated"},
         "spec": {"graph": {"nodes": [
           {"name": "gate", "spec": {"taskType": "approval", "approval": {"message": "go?"}}},
           {"name": "after", "dependsOn": ["gate"], "spec": {"taskType": "echo", "data": {"type": "list", "items": ["x"]}}}]}}}
        """;

    public static async Task RunAsync(BenchOptions options, int gates, CancellationToken cancellationToken)
    {
        if (!options.IsRemote)
        {
            throw new ArgumentException("signal_latency needs --mode server or --mode cluster (signals arrive over HTTP)");
        }

        var answers = new List<double>();
        var resumes = new List<double>();
        for (var run = 1; run <= options.Runs; run++)
        {
            await using var fabric = await Fabric.StartAsync(options, withNode: true, cancellationToken);
            for (var i = 0; i < gates; i++)
            {
                var id = (await fabric.Client.SubmitAsync(Gated, "gated.json", cancellationToken: cancellationToken)).WorkflowId;
                await using var events = fabric.Client.WatchAsync(id, cancellationToken: cancellationToken).GetAsyncEnumerator(cancellationToken);
                while (await events.MoveNextAsync() && !(events.Current.Kind == "task.waiting" && events.Current.Task == "gate"))
                {
                }

                var token = await fabric.Client.CreateSignalTokenAsync(id, "gate", TimeSpan.FromMinutes(5), cancellationToken);
                var clock = Stopwatch.StartNew();
                await fabric.Client.SignalAsync(new SignalRequest(token.Token, "approve", "bench"), cancellationToken);
                if (i > 0)
                {
                    // The first gate of each fabric is its warm-up.
                    answers.Add(clock.Elapsed.TotalMilliseconds);
                }

                while (await events.MoveNextAsync())
                {
                    var e = events.Current;
                    if (e.Kind == "task.state" && e.Task == "after" && e.Data.GetProperty("state").GetString() == "Running")
                    {
                        if (i > 0)
                        {
                            // On the bench's clock: a cluster leader stamps events with the database's clock.
                            resumes.Add(clock.Elapsed.TotalMilliseconds);
                        }

                        break;
                    }
                }
            }

            Console.Error.WriteLine($"  signal_latency run {run}: {gates - 1} timed gates");
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| signal_latency | {options.Mode} | {answers.Count} signals | answer p50 {Stats.Ms(Stats.Percentile(answers, 50))} ms · p95 {Stats.Ms(Stats.Percentile(answers, 95))} ms | resume seen over SSE p50 {Stats.Ms(Stats.Percentile(resumes, 50))} ms · p95 {Stats.Ms(Stats.Percentile(resumes, 95))} ms |"));
    }
}
