using System.Globalization;

namespace FlowMesh.Bench;

/// <summary>
/// Event delivery over SSE: a client watches a 200-task chain as it runs; each event's latency is the time it reached the
/// client minus the time the engine stamped it (the same host's clock). Events already in the log when the stream
/// opened are backlog, not delivery, and are left out.
/// </summary>
internal static class SseLatency
{
    public static async Task RunAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        if (!options.IsRemote)
        {
            throw new ArgumentException("sse_latency needs --mode server or --mode cluster (there is no SSE without a server)");
        }

        var samples = new List<double>();
        for (var run = 1; run <= options.Runs; run++)
        {
            await using var fabric = await Fabric.StartAsync(options, withNode: true, cancellationToken);
            var id = (await fabric.Client.SubmitAsync(Workload.Chain(200).Workflows[0], "bench.json", cancellationToken: cancellationToken)).WorkflowId;
            DateTimeOffset? opened = null;
            var count = 0;
            await foreach (var e in fabric.Client.WatchAsync(id, cancellationToken: cancellationToken))
            {
                var now = DateTimeOffset.UtcNow;
                opened ??= now;
                if (e.At > opened)
                {
                    samples.Add((now - e.At).TotalMilliseconds);
                    count++;
                }
            }

            Console.Error.WriteLine($"  sse_latency run {run}: {count} live events");
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| sse_latency | {options.Mode} | {samples.Count} events | p50 {Stats.Ms(Stats.Percentile(samples, 50))} ms · p95 {Stats.Ms(Stats.Percentile(samples, 95))} ms · p99 {Stats.Ms(Stats.Percentile(samples, 99))} ms |"));
    }
}
