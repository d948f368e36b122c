using System.Net;
using FlowMesh.Runtime.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace FlowMesh.Runtime.Hosting;

/// <summary>Builds an Orleans client host that reaches a FlowMesh cluster: through Redis, or a local silo's gateway port.</summary>
public static class FlowMeshClientHost
{
    public static IHost Build(string? store, int gatewayPort, string clusterId = "flowmesh", string serviceId = "flowmesh", LogLevel logLevel = LogLevel.Warning)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(logLevel);
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = clusterId;
                o.ServiceId = serviceId;
            });
            if (store is not null)
            {
                client.UseRedisClientClustering(store);
            }
            else
            {
                client.UseStaticClustering(new IPEndPoint(IPAddress.Loopback, gatewayPort));
            }

            client.AddFlowMeshStreams();
        });
        return builder.Build();
    }
}
