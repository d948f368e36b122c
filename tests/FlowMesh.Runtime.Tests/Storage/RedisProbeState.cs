namespace FlowMesh.Runtime.Tests.Storage;

[GenerateSerializer, Alias("fm.test.RedisProbeState")]
public sealed class RedisProbeState
{
    [Id(0)]
    public string? Value { get; set; }
}
