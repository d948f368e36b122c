using FlowMesh.Abstractions;
using FlowMesh.Runtime.Client;
using FlowMesh.Runtime.Tests.Support;
using FlowMesh.Workflows;
using Microsoft.Extensions.Configuration;
using Orleans.TestingHost;

namespace FlowMesh.Runtime.Tests.Runtime;

/// <summary>A real FlowMesh cluster for a test: its own redis-server, N silos on it (each with an embedded node), a client.</summary>
internal sealed class RuntimeCluster : IAsyncDisposable
{
    private RuntimeCluster(RedisServer redis, TestCluster cluster, string dataDirectory)
    {
        Redis = redis;
        Cluster = cluster;
        DataDirectory = dataDirectory;
        Client = new FlowMeshRuntimeClient(cluster.Client, TimeProvider.System);
    }

    public RedisServer Redis { get; }

    public TestCluster Cluster { get; }

    public string DataDirectory { get; }

    public FlowMeshRuntimeClient Client { get; }

    public IPlacementGrain Placement => Cluster.Client.GetGrain<IPlacementGrain>(0);

    /// <summary>Starts the cluster; <paramref name="gpus"/> makes each node declare that many GPUs (and CPU and memory to spare).</summary>
    public static async Task<RuntimeCluster> StartAsync(int silos, int slots = 8, int? gpus = null)
    {
        var redis = await RedisServer.StartNewAsync();
        var data = Directory.CreateTempSubdirectory("flowmesh-runtime-").FullName;
        var builder = new TestClusterBuilder((short)silos);
        builder.Options.ServiceId = "fm-" + Guid.NewGuid().ToString("N")[..8];
        builder.Options.ClusterId = "fm-test";
        builder.Options.UseTestClusterMembership = false;
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureHostConfiguration(c => c.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [RuntimeSiloConfigurator.RedisKey] = redis.Url,
            [RuntimeSiloConfigurator.DataKey] = data,
            [RuntimeSiloConfigurator.SlotsKey] = slots.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [RuntimeSiloConfigurator.GpusKey] = gpus?.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }));
        builder.AddSiloBuilderConfigurator<RuntimeSiloConfigurator>();
        builder.AddClientBuilderConfigurator<RuntimeSiloConfigurator>();
        var cluster = builder.Build();
        try
        {
            await cluster.DeployAsync();
        }
        catch
        {
            await cluster.DisposeAsync();
            await redis.DisposeAsync();
            throw;
        }

        return new RuntimeCluster(redis, cluster, data);
    }

    public static WorkflowDefinition Parse(string yaml)
    {
        var parsed = WorkflowParser.Parse(yaml, "test.yaml");
        Assert.True(parsed.Success, string.Join("\n", parsed.Diagnostics));
        return parsed.Workflow!;
    }

    public Task<WorkflowSnapshot> SubmitAsync(string yaml, CancellationToken cancellationToken) =>
        SubmitAsync(yaml, "default", cancellationToken);

    public Task<WorkflowSnapshot> SubmitAsync(string yaml, string tenant, CancellationToken cancellationToken) =>
        Client.SubmitAsync(Parse(yaml), tenant, "test", cancellationToken);

    public ITenantGrain Tenant(string name) => Cluster.Client.GetGrain<ITenantGrain>(name);

    /// <summary>Every event of the workflow, from the first, until its final state.</summary>
    public async Task<List<WorkflowEvent>> WatchToEndAsync(string id, CancellationToken cancellationToken)
    {
        var events = new List<WorkflowEvent>();
        await foreach (var e in Client.WatchAsync(id, 0, cancellationToken))
        {
            events.Add(e);
        }

        return events;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Cluster.StopAllSilosAsync();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A silo a test killed cannot stop twice.
        }

        await Cluster.DisposeAsync();
        await Redis.DisposeAsync();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
