using FlowMesh.Client;
using Npgsql;

namespace FlowMesh.Bench;

/// <summary>
/// A server process (on a fresh PostgreSQL database in cluster mode, on SQLite in server mode) and, when asked, one node
/// agent process talking to it over HTTP: the real deployment shape, on loopback.
/// </summary>
internal sealed class Fabric : IAsyncDisposable
{
    public const string NodeName = "bench-node";
    private const string AdminToken = "fmk_benchadmin01_0123456789abcdef0123";
    private const string NodeToken = "fmk_benchnode001_0123456789abcdef0123";
    private readonly string _dir;
    private readonly string? _database;
    private readonly string? _postgres;

    private Fabric(string dir, string? database, string? postgres)
    {
        _dir = dir;
        _database = database;
        _postgres = postgres;
    }

    public ChildProcess Server { get; private set; } = null!;

    public ChildProcess? Node { get; private set; }

    public Uri BaseAddress { get; private set; } = null!;

    public FlowMeshClient Client { get; private set; } = null!;

    public static async Task<Fabric> StartAsync(BenchOptions options, bool withNode, CancellationToken cancellationToken)
    {
        var dir = options.NewDirectory();
        string? database = null;
        var args = new List<string> { "server", "--data-dir", Path.Combine(dir, "server"), "--urls", "http://127.0.0.1:0", "--rate-limit", "1000000",
            "--max-body", (256L << 20).ToString(System.Globalization.CultureInfo.InvariantCulture), "--unplaceable-timeout", "3600",
            "--durability", options.Durability.ToString().ToLowerInvariant() };
        if (options.Mode == "cluster")
        {
            var admin = options.Postgres ?? throw new ArgumentException("cluster mode needs --pg CONNECTION-STRING (or FLOWMESH_BENCH_PG)");
            database = $"bench_{Guid.NewGuid():N}";
            await using (var connection = new NpgsqlConnection(admin))
            {
                await connection.OpenAsync(cancellationToken);
                await using var create = new NpgsqlCommand($"CREATE DATABASE {database}", connection);
                await create.ExecuteNonQueryAsync(cancellationToken);
            }

            args.AddRange(["--store", new NpgsqlConnectionStringBuilder(admin) { Database = database }.ConnectionString]);
        }

        var fabric = new Fabric(dir, database, options.Postgres);
        try
        {
            var env = new Dictionary<string, string> { ["FLOWMESH_ADMIN_TOKEN"] = AdminToken, ["FLOWMESH_NODE_TOKEN"] = NodeToken };
            fabric.Server = new ChildProcess(args, env);
            fabric.BaseAddress = new Uri(await fabric.Server.LineAsync("flowmesh: listening on ", TimeSpan.FromSeconds(60)));
            fabric.Client = new FlowMeshClient(new FlowMeshClientOptions { BaseAddress = fabric.BaseAddress, Token = AdminToken, RequestTimeout = TimeSpan.FromMinutes(10) });
            if (withNode)
            {
                fabric.Node = new ChildProcess(
                    ["node", "--server", fabric.BaseAddress.ToString(), "--token", NodeToken, "--name", NodeName, "--work-dir", Path.Combine(dir, "node"),
                        "--slots", options.Slots.ToString(System.Globalization.CultureInfo.InvariantCulture), "--cpus", "2", "--memory", "8Gi"],
                    new Dictionary<string, string>());
                await fabric.WaitForNodeAsync(cancellationToken);
            }

            return fabric;
        }
        catch
        {
            await fabric.DisposeAsync();
            throw;
        }
    }

    /// <summary>A token node agents use (simulated agents register with it too).</summary>
    public static string AgentToken => NodeToken;

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        if (Node is not null)
        {
            await Node.DisposeAsync();
        }

        if (Server is not null)
        {
            await Server.DisposeAsync();
        }

        if (_database is not null)
        {
            await using var connection = new NpgsqlConnection(_postgres);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }

        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task WaitForNodeAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        while (true)
        {
            var nodes = await Client.ListNodesAsync(cancellationToken: timeout.Token);
            if (nodes.Any(n => n.Id == NodeName && n.State == "Up"))
            {
                return;
            }

            await Task.Delay(50, timeout.Token);
        }
    }
}
