using FlowMesh.Engine.Agent;
using FlowMesh.Engine.Runtime;
using FlowMesh.Abstractions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FlowMesh.Server.Hosting;

/// <summary>
/// Starts the engine before the server listens, takes over workflows whose runner died, forwards usage to the sinks,
/// and on shutdown (SIGTERM) stops the engine after the server has stopped taking requests.
/// </summary>
internal sealed class EngineHost(FlowMeshEngine engine, EventPulse pulse, StoreAccess stores, UsageForwarder usage, Security.TenantDirectory tenants,
    ServerOptions options, IHostApplicationLifetime lifetime, TimeProvider time, RetentionPruner pruner, Telemetry.WorkflowEventLog eventLog, ILogger<EngineHost> logger) : IHostedService, IDisposable
{
    private ITimer? _prune;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        engine.EventsCommitted += _ => pulse.Signal();
        engine.EventsCommitted += eventLog.Write;
        engine.UsageCommitted += usage.Forward;
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

        if (options.Retention > TimeSpan.Zero)
        {
            _prune = time.CreateTimer(_ => pruner.PruneOnce(), null, TimeSpan.Zero, RetentionPruner.Interval);
        }

        logger.LogInformation("engine started: node {Node} ({Mode}), data {Data}", engine.NodeId, options.RunLocalNode ? "runs tasks" : "cordoned", options.DataDirectory);
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await engine.DisposeAsync().ConfigureAwait(false);

    public void Dispose() => _prune?.Dispose();

    internal static bool IsTerminal(string state) => StateMachines.Workflow.IsTerminal(Enum.Parse<WorkflowState>(state));
}
