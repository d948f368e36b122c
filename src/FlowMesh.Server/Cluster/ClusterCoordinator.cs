using FlowMesh.Engine.Runtime;
using FlowMesh.Server.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace FlowMesh.Server.Cluster;

/// <summary>
/// Leader election for a cluster of replicas: the replica holding a PostgreSQL session advisory lock runs the engine.
/// Its lock lives on a connection of its own; when that process dies or its connection drops, the database releases
/// the lock and another replica takes it within about a second. Each new leader starts a new term, which every engine
/// transaction checks (<see cref="Engine.Store.StoreTransaction.Fence"/>), so a deposed leader's late commit fails.
/// The new leader resumes every unfinished workflow from the store; nodes register again and keep what they run.
/// </summary>
internal sealed class ClusterCoordinator(ServerOptions options, StoreAccess stores, StoreNotifications notifications, EventPulse pulse, UsageForwarder usage,
    RetentionPruner pruner, TimeProvider time, Telemetry.WorkflowEventLog eventLog, ILogger<ClusterCoordinator> logger) : BackgroundService
{
    private const long LeaderLockKey = 0x466C6F774C656164;

    // Longer than any sender waits for an answer (CommandTimeout), so only rows nobody reads any more go.
    private static readonly TimeSpan QueueAge = TimeSpan.FromMinutes(10);
    private volatile FlowMeshEngine? _engine;

    /// <summary>The engine while this replica leads; null otherwise.</summary>
    public FlowMeshEngine? Engine => _engine;

    /// <summary>The term this replica leads in; 0 when it does not lead.</summary>
    public long Term { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await LeadWhilePossibleAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                logger.LogWarning("not leading: {Message}", ex.Message);
            }

            await Task.WhenAny(notifications.LeaderChanged, Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken)).ConfigureAwait(false);
        }
    }

    private async Task LeadWhilePossibleAsync(CancellationToken stoppingToken)
    {
        var connection = new NpgsqlConnectionStringBuilder(options.StoreLocation.Target) { KeepAlive = 5, Pooling = false }.ConnectionString;
        var lockConnection = new NpgsqlConnection(connection);
        await using (lockConnection.ConfigureAwait(false))
        {
            await lockConnection.OpenAsync(stoppingToken).ConfigureAwait(false);
            var taken = new NpgsqlCommand($"SELECT pg_try_advisory_lock({LeaderLockKey})", lockConnection);
            await using (taken.ConfigureAwait(false))
            {
                if (await taken.ExecuteScalarAsync(stoppingToken).ConfigureAwait(false) is not true)
                {
                    return;
                }
            }

            await LeadAsync(lockConnection, stoppingToken).ConfigureAwait(false);
        }
    }

    private async Task LeadAsync(NpgsqlConnection lockConnection, CancellationToken stoppingToken)
    {
        long term;
        TimeSpan offset;
        using (var store = stores.Open())
        {
            term = store.BeginTerm(options.ReplicaId);
            offset = store.DatabaseNow() - time.GetUtcNow();
        }

        var engineOptions = ServerServiceCollectionExtensions.EngineOptionsFor(options);
        engineOptions.ClusterTerm = term;
        var engine = new FlowMeshEngine(engineOptions, new DatabaseClock(time, offset));
        engine.EventsCommitted += _ => pulse.Signal();
        engine.EventsCommitted += eventLog.Write;
        engine.UsageCommitted += usage.Forward;
        using var leading = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        Task? pump = null;
        try
        {
            await engine.StartAsync(stoppingToken).ConfigureAwait(false);
            IReadOnlyList<Engine.Store.WorkflowRow> unfinished;
            using (var store = stores.Open())
            {
                unfinished = store.ListUnfinishedWorkflows();
            }

            await Task.WhenAll(unfinished.Select(w => engine.ResumeAsync(w.Id, stoppingToken))).ConfigureAwait(false);
            Term = term;
            _engine = engine;
            logger.LogInformation("replica {Replica} leads the cluster in term {Term}; resumed {Count} unfinished workflow(s)", options.ReplicaId, term, unfinished.Count);
            pump = new InboxPump(engine, term, stores, notifications, time, logger).RunAsync(leading.Token);
            var nextPrune = time.GetUtcNow();
            while (true)
            {
                var done = await Task.WhenAny(engine.Completion, pump, Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken)).ConfigureAwait(false);
                stoppingToken.ThrowIfCancellationRequested();
                if (done == engine.Completion || done == pump)
                {
                    await done.ConfigureAwait(false);
                    throw new InvalidOperationException("the engine stopped");
                }

                // The lock lives as long as this connection: a failed ping means it may already be someone else's.
                var ping = new NpgsqlCommand("SELECT 1", lockConnection);
                await using (ping.ConfigureAwait(false))
                {
                    await ping.ExecuteScalarAsync(stoppingToken).ConfigureAwait(false);
                }

                if (time.GetUtcNow() >= nextPrune)
                {
                    nextPrune = time.GetUtcNow() + RetentionPruner.Interval;
                    pruner.PruneOnce();
                    using var store = stores.Open();
                    store.PruneClusterQueues(QueueAge > 2 * options.CommandTimeout ? QueueAge : 2 * options.CommandTimeout);
                }
            }
        }
        finally
        {
            _engine = null;
            Term = 0;
            await leading.CancelAsync().ConfigureAwait(false);
            if (pump is not null)
            {
                await pump.ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
            }

            await engine.QuiesceAsync().ConfigureAwait(false);
            await engine.DisposeAsync().ConfigureAwait(false);
            logger.LogWarning("replica {Replica} stopped leading (term {Term})", options.ReplicaId, term);
        }
    }
}
