using FlowMesh.Abstractions;
using Microsoft.Extensions.Logging;

namespace FlowMesh.Runtime.Hosting;

/// <summary>
/// When a silo is declared dead, the task grains that lived there are gone with their lease checks and retry timers,
/// and nothing calls them until someone does. This watcher answers each death at once: every workflow active on this
/// silo re-syncs its unfinished tasks, which brings them back (elsewhere) with their timers. The workflows' reminders
/// are the slower catch-all for workflows that were not active anywhere.
/// </summary>
internal sealed partial class SiloFailureWatcher(IClusterMembershipService membership, ActiveWorkflows active, IGrainFactory grains, ILogger<SiloFailureWatcher> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly CancellationTokenSource _stopping = new();
    private Task? _watching;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(SiloFailureWatcher), ServiceLifecycleStage.Active, StartAsync, StopAsync);

    private Task StartAsync(CancellationToken cancellationToken)
    {
        _watching = Task.Run(() => WatchAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        if (_watching is not null)
        {
            await _watching.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _stopping.Dispose();
    }

    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        var dead = new HashSet<SiloAddress>();
        try
        {
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(cancellationToken))
            {
                var newlyDead = snapshot.Members.Values.Where(m => m.Status == SiloStatus.Dead && dead.Add(m.SiloAddress)).ToList();
                if (newlyDead.Count == 0)
                {
                    continue;
                }

                var workflows = active.Snapshot();
                LogSiloDead(logger, string.Join(", ", newlyDead.Select(m => m.SiloAddress)), workflows.Count);
                foreach (var id in workflows)
                {
                    try
                    {
                        await grains.GetGrain<IWorkflowGrain>(id).ReconcileAsync();
                    }
                    catch (Exception ex) when (ex is not OutOfMemoryException && !cancellationToken.IsCancellationRequested)
                    {
                        LogReconcileFailed(logger, id, ex);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "silo(s) {Silos} declared dead: re-syncing {Count} workflow(s) active here")]
    private static partial void LogSiloDead(ILogger logger, string silos, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "workflow {WorkflowId} could not re-sync after a silo died; its reminder will")]
    private static partial void LogReconcileFailed(ILogger logger, string workflowId, Exception ex);
}
