using System.Net;
using System.Net.Sockets;
using FlowMesh.Runtime.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace FlowMesh.Runtime.Hosting;

/// <summary>Builds the host of one FlowMesh silo from <see cref="SiloSettings"/>.</summary>
public static class FlowMeshSilo
{
    public static IHost Build(SiloSettings settings, LogLevel logLevel = LogLevel.Warning)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Directory.CreateDirectory(settings.DataDirectory);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(logLevel);
        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = settings.ClusterId;
                o.ServiceId = settings.ServiceId;
            });
            if (settings.IsCluster)
            {
                silo.UseRedisStorage(settings.Store!);
                silo.ConfigureEndpoints(IPAddress.Loopback, Port(settings.SiloPort), Port(settings.GatewayPort));
                silo.Configure<ClusterMembershipOptions>(o =>
                {
                    o.ProbeTimeout = settings.ProbeTimeout;
                    o.NumMissedProbesLimit = 2;
                });
            }
            else
            {
                silo.UseLocalhostClustering(Port(settings.SiloPort), Port(settings.GatewayPort), serviceId: settings.ServiceId, clusterId: settings.ClusterId);
                silo.UseSqliteStorage(settings.DatabasePath, settings.Durability);
            }

            silo.AddFlowMeshRuntime(o =>
            {
                o.DataDirectory = settings.DataDirectory;
                settings.ConfigureRuntime?.Invoke(o);
            });
            if (settings.EmbeddedNode)
            {
                silo.AddFlowMeshEmbeddedNode(settings.ConfigureNode);
            }
        });
        return builder.Build();
    }

    /// <summary>0 asks the OS for a free port (a silo needs a fixed one before it starts).</summary>
    private static int Port(int port)
    {
        if (port != 0)
        {
            return port;
        }

        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
