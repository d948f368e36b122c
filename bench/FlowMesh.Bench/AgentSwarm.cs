using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using FlowMesh.Engine.Actors;
using FlowMesh.Engine.Agent.Protocol;

namespace FlowMesh.Bench;

/// <summary>
/// N simulated node agents against one server: each registers, heartbeats at the interval the server gives and keeps a
/// long poll for work open, as a real agent does. What is measured is the server's CPU (from /proc) over a window
/// once all have joined, against the same server idle, and the heartbeat round trip seen by the agents.
/// </summary>
internal static class AgentSwarm
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(30);

    public static async Task RunAsync(BenchOptions options, int agents, CancellationToken cancellationToken)
    {
        if (!options.IsRemote)
        {
            throw new ArgumentException("agents_1000 needs --mode server or --mode cluster");
        }

        var idle = new List<double>();
        var busy = new List<double>();
        var beats = new List<double>();
        var rates = new List<double>();
        for (var run = 1; run <= Math.Min(options.Runs, 3); run++)
        {
            await using var fabric = await Fabric.StartAsync(options, withNode: false, cancellationToken);
            // Past start-up (the JIT's second tier), then idle: the baseline the agents' cost is measured against.
            await Task.Delay(TimeSpan.FromSeconds(10), cancellationToken);
            idle.Add(await CpuShareAsync(fabric.Server, TimeSpan.FromSeconds(10), cancellationToken));
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
            {
                BaseAddress = new Uri(fabric.BaseAddress, "/api/v1/agent/nodes/"),
                Timeout = Timeout.InfiniteTimeSpan,
            };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Fabric.AgentToken);
            var latencies = new List<double>();
            var joined = 0;
            var all = Enumerable.Range(0, agents).Select(i => AgentAsync(http, $"sim-{i:D4}", latencies, () => Interlocked.Increment(ref joined), stop.Token)).ToArray();
            var deadline = Stopwatch.StartNew();
            while (Volatile.Read(ref joined) < agents)
            {
                var failed = all.FirstOrDefault(a => a.IsFaulted);
                if (deadline.Elapsed > TimeSpan.FromMinutes(3) || failed is not null)
                {
                    await stop.CancelAsync();
                    throw new InvalidOperationException($"only {joined} of {agents} agents joined", failed?.Exception);
                }

                await Task.Delay(100, cancellationToken);
            }

            await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken);
            lock (latencies)
            {
                latencies.Clear();
            }

            busy.Add(await CpuShareAsync(fabric.Server, Window, cancellationToken));
            lock (latencies)
            {
                beats.AddRange(latencies);
                rates.Add(latencies.Count / Window.TotalSeconds);
            }

            var up = (await fabric.Client.ListNodesAsync(cancellationToken: cancellationToken)).Count(n => n.State == "Up" && n.Id.StartsWith("sim-", StringComparison.Ordinal));
            await stop.CancelAsync();
            await Task.WhenAll(all.Select(a => a.ContinueWith(_ => { }, TaskScheduler.Default)));
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  agents_{agents} run {run}: server CPU idle {idle[^1]:P1}, with agents {busy[^1]:P1} of one core; {rates[^1]:0} heartbeats/s; {up} nodes up"));
            if (up != agents)
            {
                throw new InvalidOperationException($"{agents - up} simulated nodes were not Up at the end (lost: heartbeats too slow?)");
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| agents_{agents} | {options.Mode} | server CPU {Stats.Spread([.. busy.Select(b => b * 100)], "0.0")} % of a core (idle {Stats.Spread([.. idle.Select(b => b * 100)], "0.0")} %) " +
            $"| {Stats.Spread(rates, "0")} heartbeats/s | heartbeat RTT p50 {Stats.Ms(Stats.Percentile(beats, 50))} ms · p99 {Stats.Ms(Stats.Percentile(beats, 99))} ms |"));
    }

    private static async Task<double> CpuShareAsync(ChildProcess process, TimeSpan window, CancellationToken cancellationToken)
    {
        var cpu = process.CpuTime();
        var clock = Stopwatch.StartNew();
        await Task.Delay(window, cancellationToken);
        return (process.CpuTime() - cpu).TotalSeconds / clock.Elapsed.TotalSeconds;
    }

    private static async Task AgentAsync(HttpClient http, string id, List<double> latencies, Action joined, CancellationToken cancellationToken)
    {
        var capacity = new NodeCapacity(2000, 8L << 30, [], 4, ["echo"]);
        using var registered = await http.PostAsJsonAsync(string.Empty, new NodeRegistration(id, "bench-sim", Environment.ProcessId, 0, capacity, []), Json, cancellationToken);
        registered.EnsureSuccessStatusCode();
        var welcome = (await registered.Content.ReadFromJsonAsync<NodeWelcome>(Json, cancellationToken))!;
        joined();
        var poll = PollAsync(http, id, welcome.Epoch, cancellationToken);
        var interval = TimeSpan.FromSeconds(welcome.HeartbeatSeconds);
        // Spread the first beats over one interval, as agents that started at different times would.
        await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * interval.TotalMilliseconds), cancellationToken).ConfigureAwait(false);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var clock = Stopwatch.StartNew();
                using (var beat = await http.PostAsJsonAsync($"{id}/heartbeat", new Heartbeat(welcome.Epoch, []), Json, cancellationToken))
                {
                    beat.EnsureSuccessStatusCode();
                }

                lock (latencies)
                {
                    latencies.Add(clock.Elapsed.TotalMilliseconds);
                }

                await Task.Delay(interval - clock.Elapsed > TimeSpan.Zero ? interval - clock.Elapsed : TimeSpan.Zero, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }

        await poll.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private static async Task PollAsync(HttpClient http, string id, long epoch, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            using var work = await http.GetAsync($"{id}/work?epoch={epoch}&waitSeconds=30", cancellationToken);
            work.EnsureSuccessStatusCode();
        }
    }
}
