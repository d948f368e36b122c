namespace FlowMesh.Abstractions;

/// <summary>What a node agent says of itself when it joins; <paramref name="Running"/> lists attempts it still runs from before.</summary>
[GenerateSerializer, Immutable, Alias("fm.NodeRegistration")]
public sealed record NodeRegistration(
    [property: Id(0)] string NodeId,
    [property: Id(1)] long CpuMillis,
    [property: Id(2)] long MemoryBytes,
    [property: Id(3)] GpuInfo[] Gpus,
    [property: Id(4)] int Slots,
    [property: Id(5)] string[] TaskTypes,
    [property: Id(6)] Dictionary<string, string> Labels,
    [property: Id(7)] string[] WarmModels,
    [property: Id(8)] string Host,
    [property: Id(9)] RunningAttempt[] Running);
