using FlowMesh.Abstractions;
using FlowMesh.Runtime.Storage;
using FlowMesh.Runtime.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using StackExchange.Redis;

namespace FlowMesh.Runtime.Tests.Storage;

[Collection(RedisCollection.Name)]
[Trait("Category", "Integration")]
public sealed class RedisClusterStorageTests(ITestOutputHelper output)
{
    [RedisFact]
    public async Task UseRedisStorage_ClusterStoppedAndRedeployed_NewClusterReadsStateAndReminder()
    {
        await using var redis = await RedisServer.StartNewAsync();
        var serviceId = "fm-test-" + Guid.NewGuid().ToString("N")[..8];

        await using (var first = await DeployAsync(redis, serviceId))
        {
            var grain = first.Client.GetGrain<IRedisProbeGrain>("probe");
            await grain.SetAsync("written by the first cluster");
            await grain.RegisterReminderAsync("keep-alive");

            var reminders = first.GetSiloServiceProvider().GetRequiredService<IReminderTable>();
            Assert.NotNull(await reminders.ReadRow(grain.GetGrainId(), "keep-alive"));
            await first.StopAllSilosAsync();
        }

        await using var second = await DeployAsync(redis, serviceId);
        var again = second.Client.GetGrain<IRedisProbeGrain>("probe");

        Assert.Equal("written by the first cluster", await again.GetAsync());
        Assert.True(await again.HasReminderAsync("keep-alive"));
        Assert.False(await again.HasReminderAsync("never-registered"));

        // All three live in the Redis the test started, under the service's prefix: membership, state, reminders.
        await using var direct = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        var keys = direct.GetServer(direct.GetEndPoints()[0]).Keys(pattern: serviceId + "/*").Select(k => k.ToString()).ToList();
        Assert.Contains(keys, k => k.StartsWith(serviceId + "/members/", StringComparison.Ordinal));
        Assert.Contains(keys, k => k.StartsWith(serviceId + "/state/", StringComparison.Ordinal));
        Assert.Contains(keys, k => k.StartsWith(serviceId + "/reminders", StringComparison.Ordinal));
    }

    [RedisFact]
    public async Task UseRedisStorage_Silo_SharesOneConnectionWithTheEventStore()
    {
        await using var redis = await RedisServer.StartNewAsync();
        await using var cluster = await DeployAsync(redis, "fm-test-" + Guid.NewGuid().ToString("N")[..8]);
        var silos = cluster.Silos.Select(s => cluster.GetSiloServiceProvider(s.SiloAddress)).ToList();

        var store = Assert.IsType<RedisWorkflowEventStore>(silos[0].GetRequiredService<IWorkflowEventStore>());
        var written = new WorkflowEvent("wf-silo", 1, DateTimeOffset.UnixEpoch, "workflow.created", null, "{}");
        await store.AppendAsync([written], CancellationToken.None);

        // Another silo's store reads what this one wrote: they share a Redis, not a process.
        var other = silos[1].GetRequiredService<IWorkflowEventStore>();
        Assert.Equal([written], await other.ReadAsync("wf-silo", 0, 10, CancellationToken.None));
        Assert.Same(silos[0].GetRequiredService<IConnectionMultiplexer>(), silos[0].GetRequiredService<IConnectionMultiplexer>());
        Assert.NotSame(silos[0].GetRequiredService<IConnectionMultiplexer>(), silos[1].GetRequiredService<IConnectionMultiplexer>());
    }

    private async Task<TestCluster> DeployAsync(RedisServer redis, string serviceId)
    {
        var builder = new TestClusterBuilder(2);
        builder.Options.ServiceId = serviceId;
        builder.Options.ClusterId = "fm-test";
        // Membership in Redis too: the second cluster finds the first one's silos there, marked dead.
        builder.Options.UseTestClusterMembership = false;
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureHostConfiguration(configuration => configuration.AddInMemoryCollection(
            new Dictionary<string, string?> { [RedisClusterConfigurator.AddressKey] = redis.Url }));
        builder.AddSiloBuilderConfigurator<RedisClusterConfigurator>();
        builder.AddClientBuilderConfigurator<RedisClusterConfigurator>();
        var cluster = builder.Build();
        try
        {
            await cluster.DeployAsync();
        }
        catch
        {
            output.WriteLine(cluster.GetLog());
            await cluster.DisposeAsync();
            throw;
        }

        return cluster;
    }
}
