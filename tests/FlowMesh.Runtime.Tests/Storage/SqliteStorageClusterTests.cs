using FlowMesh.Runtime.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;

namespace FlowMesh.Runtime.Tests.Storage;

/// <summary>The SQLite storage inside a real in-process silo, registered by <c>UseSqliteStorage</c>.</summary>
[Trait("Category", "Integration")]
public sealed class SqliteStorageClusterTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task WriteStateAsync_ClusterRestartedOnTheSameFile_NewClusterReadsTheState()
    {
        var path = _dir.File("silo.db");
        await using (var first = await StartAsync(path, SqliteDurability.Fsync))
        {
            await first.Client.GetGrain<ICounterGrain>("a").SetAsync(42, "kept");
            await first.StopAllSilosAsync();
        }

        // SQLite removes the WAL when its last connection closes: the silo's container closed the file on disposal.
        Assert.False(File.Exists(path + "-wal"));
        await using var second = await StartAsync(path, SqliteDurability.Fsync);
        var state = await second.Client.GetGrain<ICounterGrain>("a").GetAsync();

        Assert.Equal(42, state.Value);
        Assert.Equal("kept", state.Note);
    }

    [Fact]
    public async Task WriteStateAsync_200GrainsAtOnce_AllLandInFarFewerCommits()
    {
        var path = _dir.File("group.db");
        await using var cluster = await StartAsync(path, SqliteDurability.Fsync);
        var services = cluster.Silos[0].ServiceProvider;
        var database = services.GetRequiredService<SqliteDatabaseRegistry>()
            .Open(new SqliteStorageOptions { DatabasePath = path, Durability = SqliteDurability.Fsync }, "test");
        var grains = Enumerable.Range(0, 200).Select(i => cluster.Client.GetGrain<ICounterGrain>($"g{i}")).ToArray();

        // Activated first, so their reads are done and the burst below is writes only.
        await Task.WhenAll(grains.Select(g => g.GetAsync()));
        var before = database.CommitCount;
        await Task.WhenAll(grains.Select((g, i) => g.SetAsync(i, $"n{i}")));
        var commits = database.CommitCount - before;

        Assert.InRange(commits, 1, 50);
        Assert.Equal(200L, await CountStatesAsync(path));
        var storage = services.GetRequiredKeyedService<IGrainStorage>(SqliteStorageExtensions.ProviderName);
        foreach (var i in new[] { 0, 99, 199 })
        {
            var read = new GrainState<CounterState>(new CounterState());
            await storage.ReadStateAsync("s", grains[i].GetGrainId(), read);
            Assert.Equal(i, read.State!.Value);
            Assert.Equal($"n{i}", read.State!.Note);
        }
    }

    [Fact]
    public async Task UseSqliteStorage_Registered_DefaultAndPubSubAreTheSameProviderAndEventsShareTheWriter()
    {
        var path = _dir.File("names.db");
        await using var cluster = await StartAsync(path, SqliteDurability.Process);
        var services = cluster.Silos[0].ServiceProvider;
        var flowmesh = services.GetRequiredKeyedService<IGrainStorage>(SqliteStorageExtensions.ProviderName);
        var database = services.GetRequiredService<SqliteDatabaseRegistry>()
            .Open(new SqliteStorageOptions { DatabasePath = path, Durability = SqliteDurability.Process }, "test");

        Assert.IsType<SqliteGrainStorage>(flowmesh);
        Assert.Same(flowmesh, services.GetRequiredKeyedService<IGrainStorage>("Default"));
        Assert.Same(flowmesh, services.GetRequiredKeyedService<IGrainStorage>("PubSubStore"));
        Assert.Same(flowmesh, services.GetRequiredService<IGrainStorage>());

        var events = services.GetRequiredService<IWorkflowEventStore>();
        var before = database.CommitCount;
        await events.AppendAsync([SqliteWorkflowEventStoreTests.Event("wf", 1)], CancellationToken.None);
        Assert.Equal(before + 1, database.CommitCount);
        Assert.Single(await events.ReadAsync("wf", 0, 10, CancellationToken.None));
    }

    [Fact]
    public async Task UseSqliteStorage_PathNotSet_SiloStartFailsWithConfigurationException()
    {
        var ex = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var cluster = await StartAsync("", SqliteDurability.Fsync);
        });

        var cause = ex;
        while (cause is not SqliteStorageConfigurationException && cause.InnerException is { } inner)
        {
            cause = inner;
        }

        var configuration = Assert.IsType<SqliteStorageConfigurationException>(cause);
        Assert.Contains(nameof(SqliteStorageOptions.DatabasePath), configuration.Message, StringComparison.Ordinal);
    }

    private static async Task<InProcessTestCluster> StartAsync(string path, SqliteDurability durability)
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) => silo.UseSqliteStorage(path, durability));
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    private static async Task<long> CountStatesAsync(string path)
    {
        await using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=false");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM grain_state WHERE state_name = 's'";
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
