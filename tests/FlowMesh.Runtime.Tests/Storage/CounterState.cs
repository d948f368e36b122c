namespace FlowMesh.Runtime.Tests.Storage;

[GenerateSerializer, Alias("fm.tests.CounterState")]
public sealed class CounterState
{
    [Id(0)]
    public int Value { get; set; }

    [Id(1)]
    public string? Note { get; set; }
}
