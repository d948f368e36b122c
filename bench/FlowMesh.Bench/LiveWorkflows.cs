using System.Diagnostics;
using System.Globalization;
using FlowMesh.Engine.Runtime;

namespace FlowMesh.Bench;

/// <summary>
/// Memory with N live workflows (10-task chains whose first task waits: no node can run it yet), the state a busy server
/// holds. Server modes read the server process's resident set from /proc before and after; embedded mode reads this
/// process's managed heap after a full collection.
/// </summary>
internal static class LiveWorkflows
{
    public static async Task RunAsync(BenchOptions options, int count, CancellationToken cancellationToken)
    {
        var workload = Workload.Many(count, 10);
        var before = new List<double>();
        var after = new List<double>();
        var submitRate = new List<double>();
        for (var run = 1; run <= Math.Min(options.Runs, 3); run++)
        {
            var (b, a, rate) = options.IsRemote
                ? await RemoteAsync(options, workload, cancellationToken)
                : await EmbeddedAsync(options, workload, cancellationToken);
            before.Add(b / (1 << 20));
            after.Add(a / (1 << 20));
            submitRate.Add(rate);
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  live_{count} run {run}: {b / (1 << 20):0} MiB → {a / (1 << 20):0} MiB, {rate:0} workflows/s submitted"));
        }

        var perWorkflow = after.Zip(before, (a, b) => (a - b) * 1024 / count).ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| live_{count} | {options.Mode} | {(options.IsRemote ? "server RSS" : "managed heap")} {Stats.Spread(before, "0")} MiB → {Stats.Spread(after, "0")} MiB " +
            $"| {Stats.Spread(perWorkflow, "0.0")} KiB a workflow | submitted at {Stats.Spread(submitRate, "0")} workflows/s |"));
    }

    private static async Task<(double Before, double After, double Rate)> RemoteAsync(BenchOptions options, Workload workload, CancellationToken cancellationToken)
    {
        await using var fabric = await Fabric.StartAsync(options, withNode: false, cancellationToken);
        var before = fabric.Server.ResidentBytes();
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(workload.Workflows, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (text, ct) => await fabric.Client.SubmitAsync(text, "bench.json", cancellationToken: ct));
        var rate = workload.Workflows.Count / clock.Elapsed.TotalSeconds;
        // Let the engine settle (every first task noted as waiting) before reading memory.
        await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken);
        return (before, fabric.Server.ResidentBytes(), rate);
    }

    private static async Task<(double Before, double After, double Rate)> EmbeddedAsync(BenchOptions options, Workload workload, CancellationToken cancellationToken)
    {
        var dir = options.NewDirectory();
        try
        {
            var engineOptions = new EngineOptions { DataDirectory = dir, Durability = options.Durability, StartCordoned = true, UnplaceableTimeout = TimeSpan.FromHours(1) };
            await using var engine = new FlowMeshEngine(engineOptions, TimeProvider.System);
            await engine.StartAsync(cancellationToken);
            var before = GC.GetTotalMemory(forceFullCollection: true);
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(workload.Workflows.Select(text => engine.SubmitAsync(EmbeddedTarget.Parse(text), cancellationToken)));
            var rate = workload.Workflows.Count / clock.Elapsed.TotalSeconds;
            await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
            return (before, GC.GetTotalMemory(forceFullCollection: true), rate);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
