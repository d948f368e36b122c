using System.Globalization;
using System.Net;
using System.Net.Sockets;
using FlowMesh.Runtime.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace FlowMesh.Bench;

/// <summary>
/// The Orleans runtime as a real cluster of processes on loopback: a redis-server of its own (append-only file, fsync on
/// every write: durable like the other modes' stores), three <c>flowmesh cluster silo --no-node</c> processes that host
/// the grains, and <see cref="BenchOptions.Agents"/> <c>flowmesh cluster agent</c> processes that share
/// <see cref="BenchOptions.Slots"/>; the bench submits through an Orleans client of its own. Everything is stopped
/// (SIGTERM, then SIGKILL) when the run ends.
/// </summary>
internal sealed class GrainCluster : IGrainFabric
{
    public const int Silos = 3;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);
    private readonly List<ChildProcess> _agents = [];
    private readonly List<ChildProcess> _silos = [];
    private ChildProcess? _redis;
    private IHost? _clientHost;

    private GrainCluster()
    {
    }

    public IClusterClient Client => _clientHost?.Services.GetRequiredService<IClusterClient>() ?? throw new InvalidOperationException("the cluster client is not started");

    /// <summary>The cluster's Redis, <c>redis://127.0.0.1:PORT</c>.</summary>
    public string Store { get; private set; } = string.Empty;

    public static async Task<GrainCluster> StartAsync(BenchOptions options, string dir, CancellationToken cancellationToken)
    {
        var cluster = new GrainCluster();
        try
        {
            await cluster.StartRedisAsync(Directory.CreateDirectory(Path.Combine(dir, "redis")).FullName);
            var data = Directory.CreateDirectory(Path.Combine(dir, "data")).FullName;
            var dotnetEnv = new Dictionary<string, string> { ["FLOWMESH_STORE"] = cluster.Store };
            for (var i = 0; i < Silos; i++)
            {
                cluster._silos.Add(new ChildProcess(
                    ["cluster", "silo", "--store", cluster.Store, "--no-node", "--silo-port", Text(FreePort()), "--gateway-port", Text(FreePort()), "--data-dir", data],
                    dotnetEnv) { StopTimeout = TimeSpan.FromSeconds(20) });
            }

            await Task.WhenAll(cluster._silos.Select(s => ExpectAsync(s, "silo ", " up: ", StartTimeout))).WaitAsync(cancellationToken);
            for (var i = 0; i < options.Agents; i++)
            {
                var slots = options.Slots / options.Agents + (i < options.Slots % options.Agents ? 1 : 0);
                cluster._agents.Add(new ChildProcess(
                    ["cluster", "agent", "--store", cluster.Store, "--name", $"agent-{i + 1}", "--slots", Text(slots), "--data-dir", data],
                    dotnetEnv) { StopTimeout = TimeSpan.FromSeconds(20) });
            }

            await Task.WhenAll(cluster._agents.Select(a => ExpectAsync(a, "agent ", " joined", StartTimeout))).WaitAsync(cancellationToken);
            cluster._clientHost = GrainsTarget.WithLogsOnStderr(() => FlowMeshClientHost.Build(cluster.Store, 0));
            await cluster._clientHost.StartAsync(cancellationToken);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Agents first (they leave their node grains), then the silos together, then Redis, which they all need.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_clientHost is not null)
        {
            await GrainsTarget.StopAsync(_clientHost, TimeSpan.FromSeconds(10));
        }

        await Task.WhenAll(_agents.Select(a => a.DisposeAsync().AsTask()));
        await Task.WhenAll(_silos.Select(s => s.DisposeAsync().AsTask()));
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }

    private async Task StartRedisAsync(string dir)
    {
        var port = FreePort();
        _redis = new ChildProcess("redis-server",
            ["--bind", "127.0.0.1", "--port", Text(port), "--dir", dir, "--appendonly", "yes", "--appendfsync", "always", "--save", "", "--daemonize", "no", "--loglevel", "notice"],
            new Dictionary<string, string>()) { StopTimeout = TimeSpan.FromSeconds(10) };
        await ExpectAsync(_redis, string.Empty, "Ready to accept connections", TimeSpan.FromSeconds(30));
        Store = $"redis://127.0.0.1:{Text(port)}";
    }

    /// <summary>Waits for a line that says the process is up; a timeout says what the process wrote instead.</summary>
    private static async Task ExpectAsync(ChildProcess process, string prefix, string text, TimeSpan timeout)
    {
        try
        {
            await process.LineAsync(prefix, text, timeout);
        }
        catch (TimeoutException)
        {
            var output = process.Output;
            throw new TimeoutException($"pid {process.Pid} did not write \"{prefix}…{text}\" within {timeout.TotalSeconds:0} s; its output:\n{output[Math.Max(0, output.Length - 4000)..]}");
        }
    }

    /// <summary>A port nothing listens on now (a silo needs its ports before it starts).</summary>
    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    private static string Text(int n) => n.ToString(CultureInfo.InvariantCulture);
}
