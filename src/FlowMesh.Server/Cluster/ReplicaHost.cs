using FlowMesh.Engine.Store;
using FlowMesh.Server.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FlowMesh.Server.Cluster;

/// <summary>
/// Before a cluster replica takes requests: the schema is created or migrated (replicas starting together take turns),
/// and on the cluster's very first start one of them creates the system tenant and the admin token.
/// </summary>
internal sealed class ReplicaHost(ServerOptions options, Security.TenantDirectory tenants, StoreNotifications notifications, IHostApplicationLifetime lifetime,
    ILogger<ReplicaHost> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(options.DataDirectory);
        using (FlowMeshStore.Open(options.StoreLocation))
        {
        }

        tenants.Bootstrap();

        // Long polls and command waits end at once when this replica stops, so it does not wait out their timeouts.
        lifetime.ApplicationStopping.Register(notifications.WakeAll);
        logger.LogInformation("replica {Replica} serving over {Store}", options.ReplicaId, options.StoreLocation.Display);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
