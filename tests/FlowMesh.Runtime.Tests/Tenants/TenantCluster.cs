using System.Globalization;
using FlowMesh.Abstractions;
using FlowMesh.Runtime.Client;
using FlowMesh.Runtime.Tests.Runtime;
using FlowMesh.Runtime.Tests.Support;
using Microsoft.Extensions.Configuration;
using Orleans.TestingHost;

namespace FlowMesh.Runtime.Tests.Tenants;

/// <summary>A real one-silo FlowMesh cluster on its own redis-server, whose node has the slots and declared GPUs a test asks for.</summary>
internal sealed class TenantCluster : IAsyncDisposable
{
    private readonly RedisServer _redis;
    private readonly TestCluster _cluster;

    private TenantCluster(RedisServer redis, TestCluster cluster, string dataDirectory)
    {
        _redis = redis;
        _cluster = cluster;
        DataDirectory = dataDirectory;
        Client = new FlowMeshRuntimeClient(cluster.Client, TimeProvider.System);
    }

    public string DataDirectory { get; }

    public FlowMeshRuntimeClient Client { get; }

    public IPlacementGrain Placement => _cluster.Client.GetGrain<IPlacementGrain>(0);

    public static async Task<TenantCluster> StartAsync(int slots, int gpus)
    {
        var redis = await RedisServer.StartNewAsync();
        var data = Directory.CreateTempSubdirectory("flowmesh-tenants-").FullName;
        var builder = new TestClusterBuilder(1);
        builder.Options.ServiceId = "fm-" + Guid.NewGuid().ToString("N")[..8];
        builder.Options.ClusterId = "fm-test";
        builder.Options.UseTestClusterMembership = false;
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureHostConfiguration(c => c.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [RuntimeSiloConfigurator.RedisKey] = redis.Url,
            [RuntimeSiloConfigurator.DataKey] = data,
            [RuntimeSiloConfigurator.SlotsKey] = slots.ToString(CultureInfo.InvariantCulture),
            [TenantSiloConfigurator.GpusKey] = gpus.ToString(CultureInfo.InvariantCulture),
        }));
        builder.AddSiloBuilderConfigurator<TenantSiloConfigurator>();
        builder.AddClientBuilderConfigurator<TenantSiloConfigurator>();
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

        return new TenantCluster(redis, cluster, data);
    }

    public ITenantGrain Tenant(string name) => _cluster.Client.GetGrain<ITenantGrain>(name);

    public Task<WorkflowSnapshot> SubmitAsync(string yaml, string tenant, CancellationToken cancellationToken) =>
        Client.SubmitAsync(RuntimeCluster.Parse(yaml), tenant, "test", cancellationToken);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _cluster.StopAllSilosAsync();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Stopping is best effort; the redis-server and the directory go regardless.
        }

        await _cluster.DisposeAsync();
        await _redis.DisposeAsync();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
