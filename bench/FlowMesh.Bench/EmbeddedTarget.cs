using System.Diagnostics;
using FlowMesh.Engine.Runtime;
using FlowMesh.Abstractions;
using FlowMesh.Engine.Store;
using FlowMesh.Workflows;

namespace FlowMesh.Bench;

/// <summary>
/// What <c>flowmesh run</c> does, for many workflows at once: the engine, its embedded node agent and the echo executor in
/// this process over a durable SQLite store (WAL, synchronous=FULL: a commit is on disk before anyone is told).
/// </summary>
internal sealed class EmbeddedTarget(BenchOptions options)
{
    public async Task<RunResult> RunAsync(Workload workload, CancellationToken cancellationToken)
    {
        var dir = options.NewDirectory();
        try
        {
            string[] ids;
            var clock = Stopwatch.StartNew();
            await using (var engine = new FlowMeshEngine(new EngineOptions { DataDirectory = dir, NodeSlots = options.Slots, Durability = options.Durability }, TimeProvider.System))
            {
                await engine.StartAsync(cancellationToken);
                await WarmUpAsync(engine, cancellationToken);
                clock.Restart();
                ids = await Task.WhenAll(workload.Workflows.Select(text => engine.SubmitAsync(Parse(text), cancellationToken)));
                var states = await Task.WhenAll(ids.Select(id => engine.WaitAsync(id, cancellationToken)));
                clock.Stop();
                if (states.Where(s => s != WorkflowState.Succeeded).Select(s => s.ToString()).FirstOrDefault() is { } bad)
                {
                    throw new InvalidOperationException($"a workflow ended {bad}");
                }
            }

            var timeline = new List<Timeline>();
            using (var reader = FlowMeshStore.OpenReader(dir))
            {
                foreach (var id in ids)
                {
                    var t = new Timeline();
                    for (long after = 0; ;)
                    {
                        var page = reader.GetEvents(id, after, 5000);
                        if (page.Count == 0)
                        {
                            break;
                        }

                        foreach (var e in page)
                        {
                            t.Add(e.At, e.Kind, e.Task, e.Data);
                        }

                        after = page[^1].Seq;
                    }

                    timeline.Add(t);
                }
            }

            return Summarize(workload, clock.Elapsed.TotalSeconds, timeline);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>The same small fan-out and chain as the remote warm-up, so the timed part runs on tiered-up code.</summary>
    private static async Task WarmUpAsync(FlowMeshEngine engine, CancellationToken cancellationToken)
    {
        foreach (var text in new[] { Workload.Fanout(1000).Workflows[0], Workload.Chain(200).Workflows[0] })
        {
            await engine.WaitAsync(await engine.SubmitAsync(Parse(text), cancellationToken), cancellationToken);
        }
    }

    public static RunResult Summarize(Workload workload, double seconds, List<Timeline> timelines)
    {
        var succeeded = timelines.Sum(t => t.Succeeded);
        if (succeeded != workload.TotalTasks)
        {
            throw new InvalidOperationException($"{succeeded} of {workload.TotalTasks} tasks finished");
        }

        return new RunResult(seconds, workload.TotalTasks, [.. timelines.SelectMany(t => t.DispatchMs())], [.. timelines.SelectMany(t => t.PlaceMs())],
            [.. timelines.SelectMany(t => t.HopMs())]);
    }

    public static WorkflowDefinition Parse(string text)
    {
        var parsed = WorkflowParser.Parse(text, "bench.json");
        return parsed.Success ? parsed.Workflow! : throw new InvalidOperationException(string.Join("; ", parsed.Diagnostics));
    }
}
