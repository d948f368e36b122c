using FlowMesh.Client;
using FlowMesh.Tests.Support;
using Npgsql;

namespace FlowMesh.Tests.Cluster;

/// <summary>
/// Server replicas (real <c>flowmesh server</c> processes) over one fresh PostgreSQL database, sharing a data directory
/// for result files, and node agents that know every replica.
/// </summary>
internal sealed class TestCluster : IAsyncDisposable
{
    private readonly List<ServerProcess> _replicas = [];
    private readonly List<AgentProcess> _agents = [];

    private TestCluster(string connection, TempDir dir)
    {
        Connection = connection;
        Dir = dir;
    }

    public string Connection { get; }

    public TempDir Dir { get; }

    public IReadOnlyList<ServerProcess> Replicas => _replicas;

    public IReadOnlyList<AgentProcess> Agents => _agents;

    public string Servers => string.Join(',', _replicas.Select(r => r.BaseAddress.ToString().TrimEnd('/')));

    public string AdminToken => _replicas[0].AdminToken;

    public static async Task<TestCluster> StartAsync(int replicas, double leaseSeconds)
    {
        var cluster = new TestCluster(await TestPostgres.CreateDatabaseAsync(), new TempDir());
        try
        {
            // One after another: the first creates the schema and the admin token the others then read.
            for (var i = 0; i < replicas; i++)
            {
                cluster._replicas.Add(await ServerProcess.StartServerAsync(Path.Combine(cluster.Dir.Path, "data"),
                    "--store", cluster.Connection, "--lease-seconds", leaseSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), "--unplaceable-timeout", "120"));
            }

            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    public async Task<AgentProcess> StartAgentAsync(string name, params string[] extraArgs)
    {
        var agent = await AgentProcess.StartAsync(Servers, AdminToken, name, Path.Combine(Dir.Path, name), extraArgs);
        _agents.Add(agent);
        return agent;
    }

    public FlowMeshClient Client(ServerProcess replica) => replica.Client(AdminToken);

    /// <summary>The replica that leads now (by its process id), waiting up to <paramref name="timeout"/> for one.</summary>
    public async Task<ServerProcess> LeaderAsync(TimeSpan timeout, ServerProcess? not = null)
    {
        using var deadline = new CancellationTokenSource(timeout);
        await using var conn = new NpgsqlConnection(Connection);
        await conn.OpenAsync(deadline.Token);
        await using (var listen = new NpgsqlCommand("LISTEN flowmesh_leader", conn))
        {
            await listen.ExecuteNonQueryAsync(deadline.Token);
        }

        while (true)
        {
            // Listening first, then looking: a takeover between the two still wakes the wait below.
            await using (var cmd = new NpgsqlCommand("SELECT replica FROM cluster_leader WHERE id = 1", conn))
            {
                if (await cmd.ExecuteScalarAsync(deadline.Token) is string replica
                    && _replicas.FirstOrDefault(r => replica.EndsWith("-" + r.Pid(), StringComparison.Ordinal)) is { } leader && leader != not)
                {
                    return leader;
                }
            }

            await conn.WaitAsync(deadline.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var agent in _agents)
        {
            await agent.DisposeAsync();
        }

        foreach (var replica in _replicas)
        {
            await replica.DisposeAsync();
        }

        Dir.Dispose();
    }
}
