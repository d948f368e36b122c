using FlowMesh.Engine.Agent;
using FlowMesh.Engine.Runtime;
using FlowMesh.Engine.States;
using FlowMesh.Server.Extensibility;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FlowMesh.Server.Hosting;

/// <summary>
/// Starts the engine before the server listens, takes over workflows whose runner died, forwards usage to the sinks,
/// and on shutdown (SIGTERM) stops the engine after the server has stopped taking requests.
/// </summary>
internal sealed class EngineHost(FlowMeshEngine engine, EventPulse pulse, StoreAccess stores, IEnumerable<IUsageSink> sinks, Security.TenantDirectory tenants,
    ServerOptions options, IHostApplicationLifetime lifetime, ILogger<EngineHost> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        engine.EventsCommitted += _ => pulse.Signal();
        engine.UsageCommitted += Forward;
        await engine.StartAsync(cancellationToken).ConfigureAwait(false);
        lifetime.ApplicationStopping.Register(() => engine.QuiesceAsync().GetAwaiter().GetResult());
        tenants.Bootstrap();
        using var store = stores.Open();
        foreach (var row in store.ListUnfinishedWorkflows())
        {
            if (row.OwnerNode is { } owner && store.GetNode(owner) is { } node && node.Id != engine.NodeId && ProcessIdentity.IsAlive(node))
            {
                continue;
            }

            await engine.ResumeAsync(row.Id, cancellationToken).ConfigureAwait(false);
            logger.LogInformation("resumed workflow {Workflow} ({State})", row.Id, row.State);
        }

        logger.LogInformation("engine started: node {Node} ({Mode}), data {Data}", engine.NodeId, options.RunLocalNode ? "runs tasks" : "cordoned", options.DataDirectory);
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await engine.DisposeAsync().ConfigureAwait(false);

    private void Forward(IReadOnlyList<Engine.Store.UsageRow> rows)
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

    internal static bool IsTerminal(string state) => StateMachines.Workflow.IsTerminal(Enum.Parse<WorkflowState>(state));
}
