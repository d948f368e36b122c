using FlowMesh.Runtime.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace FlowMesh.Runtime.Tests.Storage;

/// <summary>Reminders in the SQLite file of a real in-process silo, registered by <c>UseSqliteStorage</c>.</summary>
[Trait("Category", "Integration")]
public sealed class SqliteReminderClusterTests : IDisposable
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    // Generous for a loaded CI machine; a tick normally arrives within a period of the silo's start.
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task RegisterOrUpdateReminder_ClusterRestartedOnTheSameFile_ReminderFiresInTheNewCluster()
    {
        var path = _dir.File("reminders.db");
        var key = "probe-" + Guid.NewGuid().ToString("N");
        await using (var first = await StartAsync(path))
        {
            Assert.IsType<SqliteReminderTable>(first.Silos[0].ServiceProvider.GetRequiredService<IReminderTable>());
            var firstTick = ReminderSignals.Arm(key);
            await first.Client.GetGrain<IReminderProbeGrain>(key).StartAsync(Period);
            Assert.Equal(first.Silos[0].SiloAddress, await firstTick.WaitAsync(Timeout));
            await first.StopAllSilosAsync();
        }

        Assert.Equal(1L, await CountRemindersAsync(path, key));
        var tick = ReminderSignals.Arm(key);
        await using var second = await StartAsync(path);

        // Nothing calls the grain here: only the reminder read back from the file can activate it.
        Assert.Equal(second.Silos[0].SiloAddress, await tick.WaitAsync(Timeout));
    }

    private static async Task<InProcessTestCluster> StartAsync(string path)
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.UseSqliteStorage(path, SqliteDurability.Process);

            // Orleans refuses periods under a minute by default. The reminder service reads its table when it starts,
            // so a restarted silo fires within one period without waiting for the list refresh.
            silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = Period);
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    private static async Task<long> CountRemindersAsync(string path, string key)
    {
        await using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=false");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM reminders WHERE grain_id LIKE '%' || $key";
        command.Parameters.AddWithValue("$key", key);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
