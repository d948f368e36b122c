using System.Globalization;

namespace FlowMesh.Bench;

/// <summary>
/// flowmesh-bench SCENARIO… [--mode embedded|server|cluster|grains|grains-cluster] [--runs N] [--pg CONN] [--slots N] [--agents N] [--work-dir DIR]
/// Prints one markdown row a scenario (median, min and max of the runs) for docs/BENCHMARKS.md.
/// </summary>
internal static class Program
{
    private const string Usage = """
        usage: flowmesh-bench SCENARIO... [--mode embedded|server|cluster|grains|grains-cluster] [--durability fsync|process] [--runs N] [--pg CONNECTION-STRING] [--slots N] [--agents N] [--work-dir DIR]
          throughput (echo tasks, end to end): chain_1000 fanout_10000 many_1000x10 huge_100000
          latency and scale (server or cluster mode): sse_latency signal_latency agents_1000 live_10000
          micro (BenchmarkDotNet, in process): micro
        modes: embedded (engine in process, SQLite), server (flowmesh server + node process, SQLite), cluster (the same on PostgreSQL, --pg);
          on the Orleans runtime (throughput scenarios only): grains (one silo in process, SQLite per --durability, its embedded node)
          and grains-cluster (a redis-server of its own with appendfsync always, 3 silo processes, --agents agent processes
          (default 2) sharing --slots)
        """;

    public static async Task<int> Main(string[] args)
    {
        BenchOptions options;
        List<string> scenarios;
        try
        {
            (options, scenarios) = ParseArgs(args);
        }
        catch (ArgumentException ex)
        {
            await Console.Error.WriteLineAsync($"error: {ex.Message}\n{Usage}");
            return 2;
        }

        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        Console.WriteLine($"# {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC · {Environment.ProcessorCount} CPUs · .NET {Environment.Version} · mode {options.Mode} · durability {options.Durability.ToString().ToLowerInvariant()} · runs {options.Runs} · slots {options.Slots}");
        try
        {
            foreach (var scenario in scenarios)
            {
                await Scenarios.RunAsync(scenario, options, cancel.Token);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or TimeoutException or HttpRequestException or Npgsql.NpgsqlException or FlowMesh.Client.FlowMeshException)
        {
            await Console.Error.WriteLineAsync($"error: {ex.Message}");
            return 1;
        }

        return 0;
    }

    private static (BenchOptions, List<string>) ParseArgs(string[] args)
    {
        var options = new BenchOptions();
        var scenarios = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Number(string flag)
            {
                var text = Value();
                return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ArgumentException($"{flag} must be a positive whole number, not '{text}'");
            }

            switch (args[i])
            {
                case "--mode":
                    var mode = Value();
                    options = options with { Mode = BenchOptions.Modes.Contains(mode) ? mode : throw new ArgumentException($"--mode must be one of {string.Join(", ", BenchOptions.Modes)}, not '{mode}'") };
                    break;
                case "--durability":
                    var durability = Value();
                    options = options with
                    {
                        Durability = Enum.TryParse<FlowMesh.Engine.Store.CommitDurability>(durability, ignoreCase: true, out var d) && Enum.IsDefined(d)
                            ? d
                            : throw new ArgumentException($"--durability must be fsync or process, not '{durability}'"),
                    };
                    break;
                case "--runs": options = options with { Runs = Number("--runs") }; break;
                case "--slots": options = options with { Slots = Number("--slots") }; break;
                case "--agents": options = options with { Agents = Number("--agents") }; break;
                case "--pg": options = options with { Postgres = Value() }; break;
                case "--work-dir": options = options with { WorkDir = Value() }; break;
                case var s when s.StartsWith('-'): throw new ArgumentException($"unknown flag {s}");
                case var s when Scenarios.Names.Contains(s): scenarios.Add(s); break;
                default: throw new ArgumentException($"unknown scenario '{args[i]}'");
            }
        }

        if (scenarios.Count == 0)
        {
            throw new ArgumentException("name at least one scenario");
        }

        if (options.Mode == "cluster" && string.IsNullOrEmpty(options.Postgres))
        {
            throw new ArgumentException("cluster mode needs --pg CONNECTION-STRING (or FLOWMESH_BENCH_PG)");
        }

        if (options.IsGrains && scenarios.FirstOrDefault(s => !Scenarios.Throughput.Contains(s)) is { } other)
        {
            throw new ArgumentException($"{options.Mode} mode runs the throughput scenarios ({string.Join(" ", Scenarios.Throughput)}), not {other}");
        }

        if (options.Mode == "grains-cluster" && options.Slots < options.Agents)
        {
            throw new ArgumentException($"--slots ({options.Slots}) must give each of the {options.Agents} agents at least one");
        }

        return (options, scenarios);
    }
}
