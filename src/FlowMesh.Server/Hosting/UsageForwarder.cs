using FlowMesh.Engine.Store;
using FlowMesh.Server.Extensibility;
using Microsoft.Extensions.Logging;

namespace FlowMesh.Server.Hosting;

/// <summary>Hands the usage rows of each commit to the usage sinks, off the engine's loop; a failing sink loses nothing the store keeps.</summary>
internal sealed class UsageForwarder(IEnumerable<IUsageSink> sinks, ILogger<UsageForwarder> logger)
{
    public void Forward(IReadOnlyList<UsageRow> rows)
    {
        if (!sinks.Any())
        {
            return;
        }

        var records = rows.Select(r => new UsageRecord(r.TenantId, r.WorkflowId, r.Task, r.Attempt, r.NodeId, r.State, r.Gpus, r.StartedAt, r.FinishedAt,
            TimeSpan.FromMilliseconds(r.DurationMs), r.GpuSeconds)).ToArray();
        foreach (var sink in sinks)
        {
            _ = Task.Run(async () =>
            {
                try
                {
                    await sink.RecordAsync(records, CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    logger.LogWarning(ex, "usage sink {Sink} failed; {Count} record(s) stay in the store only", sink.GetType().Name, records.Length);
                }
            });
        }
    }
}
