using System.Collections.Concurrent;
using FlowMesh.Engine.Runtime;
using FlowMesh.Engine.Store;
using FlowMesh.Server.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace FlowMesh.Server.Cluster;

/// <summary>
/// This replica's LISTEN connection. It wakes event streams, long polls, inbox senders and the leader's inbox pump
/// when another replica commits. When the connection drops (the database restarted) it reconnects with backoff and
/// then wakes everyone, because notifications sent while it was away are lost and only the rows tell the truth.
/// </summary>
internal sealed class StoreNotifications(ServerOptions options, EventPulse pulse, TimeProvider time, ILogger<StoreNotifications> logger) : BackgroundService
{
    private static readonly string[] Channels =
        [FlowMeshEngine.EventsChannel, FlowMeshEngine.WorkChannel, FlowMeshStore.InboxChannel, FlowMeshStore.InboxDoneChannel, FlowMeshStore.LeaderChannel];

    private readonly ConcurrentDictionary<string, EventPulse> _nodes = new(StringComparer.Ordinal);
    private readonly EventPulse _inbox = new();
    private readonly ConcurrentDictionary<long, TaskCompletionSource> _answers = new();
    private readonly EventPulse _leader = new();

    /// <summary>Completes at the next sign that <paramref name="nodeId"/> may have new work.</summary>
    public Task NodeWork(string nodeId) => _nodes.GetOrAdd(nodeId, _ => new EventPulse()).Next;

    /// <summary>Completes at the next new inbox command (the leader's pump waits on it).</summary>
    public Task InboxPosted => _inbox.Next;

    /// <summary>
    /// Completes when inbox command <paramref name="id"/> may have been answered (or anything else happened that its
    /// sender should look at the row for). The sender calls <see cref="ForgetAnswer"/> when it is done.
    /// </summary>
    public Task InboxAnswered(long id) => _answers.GetOrAdd(id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void ForgetAnswer(long id) => _answers.TryRemove(id, out _);

    /// <summary>Completes when a new leader takes over.</summary>
    public Task LeaderChanged => _leader.Next;

    /// <summary>Wakes every waiter: they look at the rows again.</summary>
    public void WakeAll()
    {
        pulse.Signal();
        _inbox.Signal();
        WakeSenders();
        _leader.Signal();
        foreach (var s in _nodes.Values)
        {
            s.Signal();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.FromMilliseconds(100);
        var connection = new NpgsqlConnectionStringBuilder(options.StoreLocation.Target) { KeepAlive = 5, Pooling = false }.ConnectionString;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var conn = new NpgsqlConnection(connection);
                await conn.OpenAsync(stoppingToken).ConfigureAwait(false);
                conn.Notification += (_, e) => Dispatch(e.Channel, e.Payload);
                await using (var listen = new NpgsqlCommand(string.Concat(Channels.Select(c => $"LISTEN {c};")), conn))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken).ConfigureAwait(false);
                }

                if (backoff > TimeSpan.FromMilliseconds(100))
                {
                    // Back after an outage: pooled connections from before it are dead.
                    FlowMeshStore.ResetConnections();
                    logger.LogInformation("listening on the store again");
                }

                backoff = TimeSpan.FromMilliseconds(100);
                WakeAll();
                while (true)
                {
                    await conn.WaitAsync(stoppingToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                logger.LogWarning("store notifications lost ({Message}); reconnecting in {Delay} ms", ex.Message, backoff.TotalMilliseconds);
                WakeAll();
                try
                {
                    await Task.Delay(backoff, time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                backoff = TimeSpan.FromMilliseconds(Math.Min(2000, backoff.TotalMilliseconds * 2));
            }
        }
    }

    private void Dispatch(string channel, string payload)
    {
        switch (channel)
        {
            case FlowMeshEngine.EventsChannel:
                pulse.Signal();
                break;
            case FlowMeshEngine.WorkChannel:
                foreach (var node in payload.Split(','))
                {
                    if (_nodes.TryGetValue(node, out var s))
                    {
                        s.Signal();
                    }
                }

                break;
            case FlowMeshStore.InboxChannel:
                _inbox.Signal();
                break;
            case FlowMeshStore.InboxDoneChannel:
                foreach (var id in payload.Split(','))
                {
                    if (long.TryParse(id, System.Globalization.CultureInfo.InvariantCulture, out var n) && _answers.TryRemove(n, out var waiter))
                    {
                        waiter.TrySetResult();
                    }
                }

                break;
            case FlowMeshStore.LeaderChannel:
                _leader.Signal();
                WakeSenders();
                break;
        }
    }

    private void WakeSenders()
    {
        foreach (var id in _answers.Keys)
        {
            if (_answers.TryRemove(id, out var waiter))
            {
                waiter.TrySetResult();
            }
        }
    }
}
