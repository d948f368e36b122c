using FlowMesh.Runtime.Storage;
using Microsoft.Extensions.Configuration;
using Orleans.TestingHost;

namespace FlowMesh.Runtime.Tests.Storage;

/// <summary>
/// Silos and the client of a test cluster on the Redis named in the host configuration: TestCluster builds them from
/// configurator types, so the address travels as configuration rather than as a captured value.
/// </summary>
internal sealed class RedisClusterConfigurator : ISiloConfigurator, IClientBuilderConfigurator
{
    public const string AddressKey = "FlowMeshTestRedis";

    public void Configure(ISiloBuilder siloBuilder) => siloBuilder.UseRedisStorage(AddressOf(siloBuilder.Configuration));

    public void Configure(IConfiguration configuration, IClientBuilder clientBuilder) =>
        clientBuilder.UseRedisClientClustering(AddressOf(configuration));

    private static string AddressOf(IConfiguration configuration) =>
        configuration[AddressKey] ?? throw new InvalidOperationException($"the test cluster's configuration lacks {AddressKey}");
}
