using FlowMesh.Abstractions;
using FlowMesh.Engine.Containers;
using FlowMesh.Engine.Executors;
using FlowMesh.Runtime.Hosting;
using FlowMesh.Runtime.Storage;
using Microsoft.Extensions.Configuration;
using Orleans.TestingHost;

namespace FlowMesh.Runtime.Tests.Runtime;

/// <summary>
/// A silo of the test cluster as a FlowMesh cluster silo: Redis for membership, grain state, reminders and event logs,
/// the runtime with short leases, and an embedded node that runs echo and python tasks (with declared GPUs on request).
/// </summary>
internal sealed class RuntimeSiloConfigurator : ISiloConfigurator, IClientBuilderConfigurator
{
    public const string RedisKey = "FlowMeshTestRedis";
    public const string DataKey = "FlowMeshTestData";
    public const string SlotsKey = "FlowMeshTestSlots";

    /// <summary>When set, the node declares this many GPUs and CPUs and memory to spare, so slots and GPUs alone decide what fits.</summary>
    public const string GpusKey = "FlowMeshTestGpus";

    public void Configure(ISiloBuilder siloBuilder)
    {
        var configuration = siloBuilder.Configuration;
        siloBuilder.UseRedisStorage(configuration[RedisKey]!);
        siloBuilder.AddFlowMeshRuntime(o =>
        {
            o.DataDirectory = configuration[DataKey]!;
            o.Lease = TimeSpan.FromSeconds(4);
            o.HeartbeatInterval = TimeSpan.FromMilliseconds(500);
            o.LeaseCheckInterval = TimeSpan.FromMilliseconds(500);
            o.RequeueInterval = TimeSpan.FromSeconds(2);
            o.UnplaceableTimeout = TimeSpan.FromSeconds(10);
        });
        siloBuilder.AddFlowMeshEmbeddedNode(o =>
        {
            o.Slots = int.TryParse(configuration[SlotsKey], out var slots) ? slots : 8;
            if (int.TryParse(configuration[GpusKey], out var gpus))
            {
                o.Cpus = 64;
                o.MemoryBytes = 64L << 30;
                for (var i = 0; i < gpus; i++)
                {
                    o.Gpus.Add(new GpuInfo(i, "Test GPU", 16L << 30));
                }
            }

            o.Executors = [.. NodeExecutors.Create("python3", new ContainerOptions()).Where(e => e.TaskType is "echo" or "python")];
        });
    }

    public void Configure(IConfiguration configuration, IClientBuilder clientBuilder)
    {
        clientBuilder.UseRedisClientClustering(configuration[RedisKey]!);
        clientBuilder.AddFlowMeshStreams();
    }
}
