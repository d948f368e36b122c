using System.Diagnostics;
using System.Globalization;
using FlowMesh.Abstractions;
using FlowMesh.Engine.Store;
using FlowMesh.Runtime.Client;
using FlowMesh.Runtime.Hosting;
using FlowMesh.Runtime.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace FlowMesh.Bench;

/// <summary>
/// The Orleans runtime (FlowMesh.Runtime), the same workloads as the engine's modes: workflows go through
/// <see cref="FlowMeshRuntimeClient"/> to the workflow grains, tasks to node agents. <c>grains</c>: one silo in this
/// process on SQLite (per <c>--durability</c>) with its embedded node. <c>grains-cluster</c>: see <see cref="GrainCluster"/>.
/// Each run gets a fresh data directory and fresh silos; latencies come from each workflow's event log afterwards.
/// </summary>
internal sealed class GrainsTarget(BenchOptions options)
{
    private const string Tenant = "bench";
    private const int ReadConcurrency = 8;
    private const int EventPage = 5000;

    /// <summary>A run that takes longer has hung: it fails with what the workflows were doing.</summary>
    private static readonly TimeSpan RunLimit = TimeSpan.FromMinutes(30);

    public async Task<RunResult> RunAsync(Workload workload, CancellationToken cancellationToken)
    {
        var dir = options.NewDirectory();
        try
        {
            await using IGrainFabric fabric = options.Mode == "grains-cluster"
                ? await GrainCluster.StartAsync(options, dir, cancellationToken)
                : await EmbeddedSilo.StartAsync(options, dir, cancellationToken);
            var client = new FlowMeshRuntimeClient(fabric.Client, TimeProvider.System);
            await WarmUpAsync(client, cancellationToken);
            var clock = Stopwatch.StartNew();
            var ids = await Task.WhenAll(workload.Workflows.Select(async text =>
                (await client.SubmitAsync(EmbeddedTarget.Parse(text), Tenant, "bench", cancellationToken)).Id));
            WorkflowState[] states;
            try
            {
                states = await Task.WhenAll(ids.Select(id => client.WaitAsync(id, cancellationToken))).WaitAsync(RunLimit, cancellationToken);
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"not finished after {RunLimit.TotalMinutes} min: {await DescribeAsync(client, ids, cancellationToken)}");
            }

            clock.Stop();
            for (var i = 0; i < ids.Length; i++)
            {
                if (states[i] != WorkflowState.Succeeded)
                {
                    var snapshot = await client.GetAsync(ids[i], cancellationToken);
                    throw new InvalidOperationException($"workflow {ids[i]} ended {states[i]}: {snapshot?.Error}");
                }
            }

            var timelines = await ReadTimelinesAsync(fabric.Client, ids, cancellationToken);
            return EmbeddedTarget.Summarize(workload, clock.Elapsed.TotalSeconds, timelines);
        }
        finally
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>The same small fan-out and chain as the other modes' warm-up, so the timed part runs on tiered-up code.</summary>
    private static async Task WarmUpAsync(FlowMeshRuntimeClient client, CancellationToken cancellationToken)
    {
        foreach (var text in new[] { Workload.Fanout(1000).Workflows[0], Workload.Chain(200).Workflows[0] })
        {
            var id = (await client.SubmitAsync(EmbeddedTarget.Parse(text), Tenant, "warmup", cancellationToken)).Id;
            if (await client.WaitAsync(id, cancellationToken).WaitAsync(RunLimit, cancellationToken) is var state and not WorkflowState.Succeeded)
            {
                throw new InvalidOperationException($"the warm-up workflow {id} ended {state}");
            }
        }
    }

    /// <summary>Each workflow's whole event log, straight from its grain (no stream subscription), as a timeline.</summary>
    private static async Task<List<Timeline>> ReadTimelinesAsync(IClusterClient client, string[] ids, CancellationToken cancellationToken)
    {
        var timelines = new Timeline[ids.Length];
        await Parallel.ForAsync(0, ids.Length, new ParallelOptions { MaxDegreeOfParallelism = ReadConcurrency, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var grain = client.GetGrain<IWorkflowGrain>(ids[i]);
            var timeline = new Timeline();
            for (long after = 0; ;)
            {
                var page = await grain.ReadEventsAsync(after, EventPage).WaitAsync(ct);
                foreach (var e in page)
                {
                    timeline.Add(e.At, e.Kind, e.Task, e.Data);
                }

                if (page.Length < EventPage)
                {
                    break;
                }

                after = page[^1].Seq;
            }

            timelines[i] = timeline;
        });
        return [.. timelines];
    }

    private static async Task<string> DescribeAsync(FlowMeshRuntimeClient client, string[] ids, CancellationToken cancellationToken)
    {
        var snapshots = new List<WorkflowSnapshot>();
        foreach (var id in ids)
        {
            if (await client.GetAsync(id, cancellationToken) is { } s)
            {
                snapshots.Add(s);
            }
        }

        var unfinished = snapshots.Where(s => !StateMachines.Workflow.IsTerminal(s.State)).ToList();
        var tasks = unfinished.SelectMany(s => s.Tasks).GroupBy(t => t.State).Select(g => $"{g.Key} {g.Count()}");
        return string.Create(CultureInfo.InvariantCulture,
            $"{unfinished.Count} of {ids.Length} workflows unfinished (first {unfinished.FirstOrDefault()?.Id}); their tasks: {string.Join(", ", tasks)}");
    }

    /// <summary>
    /// Orleans hosts log to stdout, where the bench's table rows go: while a host is built its console logger is made,
    /// and it keeps the writer it found, so hand it stderr.
    /// </summary>
    public static T WithLogsOnStderr<T>(Func<T> build)
    {
        var stdout = Console.Out;
        Console.SetOut(Console.Error);
        try
        {
            return build();
        }
        finally
        {
            Console.SetOut(stdout);
        }
    }

    /// <summary>Stops a host, but not for ever: a silo that hangs on its way down must not hang the bench.</summary>
    public static async Task StopAsync(IHost host, TimeSpan timeout)
    {
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await host.StopAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            host.Dispose();
        }
    }
}

/// <summary>Something that runs the FlowMesh grains for one run and hands out an Orleans client to them.</summary>
internal interface IGrainFabric : IAsyncDisposable
{
    IClusterClient Client { get; }
}

/// <summary>One silo in the bench process: embedded SQLite storage under the run's directory, and its embedded node.</summary>
internal sealed class EmbeddedSilo : IGrainFabric
{
    private readonly IHost _host;

    private EmbeddedSilo(IHost host) => _host = host;

    public IClusterClient Client => _host.Services.GetRequiredService<IClusterClient>();

    public static async Task<EmbeddedSilo> StartAsync(BenchOptions options, string dir, CancellationToken cancellationToken)
    {
        var settings = new SiloSettings
        {
            DataDirectory = dir,
            Store = null,
            Durability = options.Durability == CommitDurability.Process ? SqliteDurability.Process : SqliteDurability.Fsync,
            EmbeddedNode = true,
            ConfigureNode = o => o.Slots = options.Slots,
        };
        var host = GrainsTarget.WithLogsOnStderr(() => FlowMeshSilo.Build(settings));
        try
        {
            await host.StartAsync(cancellationToken);
        }
        catch
        {
            await GrainsTarget.StopAsync(host, TimeSpan.FromSeconds(10));
            throw;
        }

        return new EmbeddedSilo(host);
    }

    public async ValueTask DisposeAsync() => await GrainsTarget.StopAsync(_host, TimeSpan.FromSeconds(30));
}
