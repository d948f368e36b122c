using System.Diagnostics;
using FlowMesh.Client;

namespace FlowMesh.Bench;

/// <summary>
/// The deployed path: workflows go over HTTP to a server process, tasks over HTTP to a separate node-agent process, the
/// store is PostgreSQL (cluster) or SQLite (server). Each run gets a fresh server, node and database.
/// </summary>
internal sealed class RemoteTarget(BenchOptions options)
{
    private const int SubmitConcurrency = 8;

    public async Task<RunResult> RunAsync(Workload workload, CancellationToken cancellationToken)
    {
        await using var fabric = await Fabric.StartAsync(options, withNode: true, cancellationToken);
        var client = fabric.Client;
        await WarmUpAsync(client, cancellationToken);
        var clock = Stopwatch.StartNew();
        var ids = new string[workload.Workflows.Count];
        await Parallel.ForAsync(0, ids.Length, new ParallelOptions { MaxDegreeOfParallelism = SubmitConcurrency, CancellationToken = cancellationToken },
            async (i, ct) => ids[i] = (await client.SubmitAsync(workload.Workflows[i], "bench.json", cancellationToken: ct)).WorkflowId);
        await WaitIdleAsync(client, cancellationToken);
        clock.Stop();
        var timelines = new List<Timeline>();
        foreach (var id in ids)
        {
            var timeline = new Timeline();
            for (long cursor = 0; ;)
            {
                var page = await client.GetEventsAsync(id, cursor, 500, cancellationToken);
                foreach (var e in page.Items)
                {
                    timeline.Add(e.At, e.Kind, e.Task, e.Data.GetRawText());
                }

                if (page.Items.Count == 0 || page.NextCursor == cursor)
                {
                    break;
                }

                cursor = page.NextCursor;
            }

            timelines.Add(timeline);
        }

        return EmbeddedTarget.Summarize(workload, clock.Elapsed.TotalSeconds, timelines);
    }

    /// <summary>
    /// A server runs for days; a fresh process spends its first seconds compiling hot methods again at a higher tier.
    /// A small fan-out and chain first, so what is timed is the steady state, not the JIT.
    /// </summary>
    public static async Task WarmUpAsync(FlowMeshClient client, CancellationToken cancellationToken)
    {
        foreach (var text in new[] { Workload.Fanout(1000).Workflows[0], Workload.Chain(200).Workflows[0] })
        {
            await client.SubmitAsync(text, "warmup.json", cancellationToken: cancellationToken);
        }

        await WaitIdleAsync(client, cancellationToken);
    }

    /// <summary>Until no workflow is pending or running: two small list queries every 10 ms, so the wait adds little load.</summary>
    public static async Task WaitIdleAsync(FlowMeshClient client, CancellationToken cancellationToken)
    {
        while (true)
        {
            var running = await client.ListPageAsync(new WorkflowFilter { State = "Running", PageSize = 1 }, cancellationToken: cancellationToken);
            var pending = await client.ListPageAsync(new WorkflowFilter { State = "Pending", PageSize = 1 }, cancellationToken: cancellationToken);
            if (running.Items.Count == 0 && pending.Items.Count == 0)
            {
                var failed = await client.ListPageAsync(new WorkflowFilter { State = "Failed", PageSize = 1 }, cancellationToken: cancellationToken);
                if (failed.Items.Count > 0)
                {
                    throw new InvalidOperationException($"workflow {failed.Items[0].Id} failed: {failed.Items[0].Error}");
                }

                return;
            }

            await Task.Delay(10, cancellationToken);
        }
    }
}
