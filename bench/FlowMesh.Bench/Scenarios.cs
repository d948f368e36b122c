using System.Globalization;

namespace FlowMesh.Bench;

/// <summary>Runs a named scenario the asked number of times and prints its row.</summary>
internal static class Scenarios
{
    public static readonly IReadOnlySet<string> Names = new HashSet<string>(StringComparer.Ordinal)
    {
        "chain_1000", "fanout_10000", "many_1000x10", "huge_100000", "sse_latency", "signal_latency", "agents_1000", "live_10000", "micro",
    };

    /// <summary>The end-to-end echo workloads: the only ones the grains modes run.</summary>
    public static readonly IReadOnlySet<string> Throughput = new HashSet<string>(StringComparer.Ordinal) { "chain_1000", "fanout_10000", "many_1000x10", "huge_100000" };

    public static async Task RunAsync(string name, BenchOptions options, CancellationToken cancellationToken)
    {
        switch (name)
        {
            case "chain_1000": await ThroughputAsync(Workload.Chain(1000), options, options.Runs, cancellationToken); break;
            case "fanout_10000": await ThroughputAsync(Workload.Fanout(10_000), options, options.Runs, cancellationToken); break;
            case "many_1000x10": await ThroughputAsync(Workload.Many(1000, 10), options, options.Runs, cancellationToken); break;
            case "huge_100000": await ThroughputAsync(Workload.Fanout(100_000, sink: false), options, Math.Min(options.Runs, 3), cancellationToken); break;
            case "sse_latency": await SseLatency.RunAsync(options, cancellationToken); break;
            case "signal_latency": await SignalLatency.RunAsync(options, 51, cancellationToken); break;
            case "agents_1000": await AgentSwarm.RunAsync(options, 1000, cancellationToken); break;
            case "live_10000": await LiveWorkflows.RunAsync(options, 10_000, cancellationToken); break;
            case "micro": Micro.Run(); break;
        }
    }

    private static async Task ThroughputAsync(Workload workload, BenchOptions options, int runs, CancellationToken cancellationToken)
    {
        var results = new List<RunResult>();
        for (var run = 1; run <= runs; run++)
        {
            var result = options.Mode switch
            {
                "grains" or "grains-cluster" => await new GrainsTarget(options).RunAsync(workload, cancellationToken),
                "server" or "cluster" => await new RemoteTarget(options).RunAsync(workload, cancellationToken),
                _ => await new EmbeddedTarget(options).RunAsync(workload, cancellationToken),
            };
            results.Add(result);
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {workload.Name} run {run}: {result.WallSeconds:0.000} s, {result.TasksPerSecond:0} tasks/s, dispatch p50 {Stats.Ms(Stats.Median(result.DispatchMs))} ms"));
        }

        var dispatch = results.SelectMany(r => r.DispatchMs).ToList();
        var place = results.SelectMany(r => r.PlaceMs).ToList();
        var hops = results.SelectMany(r => r.HopMs).ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {workload.Name} | {options.Mode} | {workload.TotalTasks} | {Stats.Spread([.. results.Select(r => r.WallSeconds)], "0.00")} | {Stats.Spread([.. results.Select(r => r.TasksPerSecond)], "0")} " +
            $"| {Percentiles(dispatch, 50, 95, 99)} | {Percentiles(place, 50, 99)} | {Percentiles(hops, 50, 95, 99)} |"));
    }

    /// <summary>"p50 / p95 / p99" of the samples in milliseconds, or "–" where none could be taken.</summary>
    private static string Percentiles(List<double> samples, params double[] ps) =>
        samples.Count == 0 ? "–" : string.Join(" / ", ps.Select(p => Stats.Ms(Stats.Percentile(samples, p))));
}
