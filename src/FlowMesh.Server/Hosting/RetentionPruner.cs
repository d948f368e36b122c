using Microsoft.Extensions.Logging;

namespace FlowMesh.Server.Hosting;

/// <summary>Deletes finished workflows older than <see cref="ServerOptions.Retention"/> (tasks and events; files and usage stay).</summary>
internal sealed class RetentionPruner(StoreAccess stores, ServerOptions options, TimeProvider time, ILogger<RetentionPruner> logger)
{
    /// <summary>How often the server that runs the engine prunes.</summary>
    public static TimeSpan Interval { get; } = TimeSpan.FromMinutes(10);

    public void PruneOnce()
    {
        if (options.Retention <= TimeSpan.Zero)
        {
            return;
        }

        try
        {
            using var store = stores.Open();
            var pruned = store.PruneFinishedWorkflows(time.GetUtcNow() - options.Retention, 1000);
            if (pruned > 0)
            {
                logger.LogInformation("pruned {Count} workflow(s) finished more than {Retention} ago", pruned, options.Retention);
            }
        }
        catch (System.Data.Common.DbException ex)
        {
            logger.LogWarning("pruning finished workflows failed: {Message}", ex.Message);
        }
    }
}
