using FlowMesh.Abstractions;
using FlowMesh.Engine.Containers;
using FlowMesh.Engine.Executors;
using FlowMesh.Runtime.Hosting;
using FlowMesh.Runtime.Storage;
using FlowMesh.Runtime.Tests.Runtime;
using Microsoft.Extensions.Configuration;
using Orleans.TestingHost;

namespace FlowMesh.Runtime.Tests.Tenants;

/// <summary>
/// A cluster silo like <see cref="RuntimeSiloConfigurator"/>'s, whose embedded node offers a set number of slots and
/// declared GPUs, and CPUs and memory to spare, so slots and GPUs alone decide what fits and fair share weighs.
/// </summary>
internal sealed class TenantSiloConfigurator : ISiloConfigurator, IClientBuilderConfigurator
{
    public const string GpusKey = "FlowMeshTestGpus";

    public void Configure(ISiloBuilder siloBuilder)
    {
        var configuration = siloBuilder.Configuration;
        siloBuilder.UseRedisStorage(configuration[RuntimeSiloConfigurator.RedisKey]!);
        siloBuilder.AddFlowMeshRuntime(o =>
        {
            o.DataDirectory = configuration[RuntimeSiloConfigurator.DataKey]!;
            o.Lease = TimeSpan.FromSeconds(4);
            o.HeartbeatInterval = TimeSpan.FromMilliseconds(500);
            o.LeaseCheckInterval = TimeSpan.FromMilliseconds(500);
            o.RequeueInterval = TimeSpan.FromSeconds(2);
            o.UnplaceableTimeout = TimeSpan.FromSeconds(10);
        });
        siloBuilder.AddFlowMeshEmbeddedNode(o =>
        {
            o.Slots = int.Parse(configuration[RuntimeSiloConfigurator.SlotsKey]!, System.Globalization.CultureInfo.InvariantCulture);
            o.Cpus = 64;
            o.MemoryBytes = 64L << 30;
            var gpus = int.Parse(configuration[GpusKey]!, System.Globalization.CultureInfo.InvariantCulture);
            for (var i = 0; i < gpus; i++)
            {
                o.Gpus.Add(new GpuInfo(i, "Test GPU", 16L << 30));
            }

            o.Executors = [.. NodeExecutors.Create("python3", new ContainerOptions()).Where(e => e.TaskType is "echo" or "python")];
        });
    }

    public void Configure(IConfiguration configuration, IClientBuilder clientBuilder)
    {
        clientBuilder.UseRedisClientClustering(configuration[RuntimeSiloConfigurator.RedisKey]!);
        clientBuilder.AddFlowMeshStreams();
    }
}
