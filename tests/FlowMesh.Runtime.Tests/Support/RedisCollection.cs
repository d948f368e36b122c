namespace FlowMesh.Runtime.Tests.Support;

/// <summary>
/// The tests that run redis-server processes and Orleans clusters on them run one at a time: on two cores a cluster
/// beside another would starve membership probes and fail on timing, not on behaviour.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RedisCollection
{
    public const string Name = "redis";
}
