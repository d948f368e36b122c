namespace FlowMesh.Abstractions;

/// <summary>A ready attempt waiting for a node, as the placement grain queues it.</summary>
[GenerateSerializer, Immutable, Alias("fm.QueuedWork")]
public sealed record QueuedWork(
    [property: Id(0)] TaskRef Task,
    [property: Id(1)] int Attempt,
    [property: Id(2)] string Tenant,
    [property: Id(3)] string TaskType,
    [property: Id(4)] string SpecJson,
    [property: Id(5)] ResourceShape Resources,
    [property: Id(6)] DateTimeOffset ReadySince,
    [property: Id(7)] string[] FailedOn);
