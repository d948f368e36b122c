namespace FlowMesh.Abstractions;

/// <summary>A workflow and its tasks at one moment; <paramref name="LastSeq"/> is its event log's last durable entry then.</summary>
[GenerateSerializer, Immutable, Alias("fm.WorkflowSnapshot")]
public sealed record WorkflowSnapshot(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] string Tenant,
    [property: Id(3)] WorkflowState State,
    [property: Id(4)] string? Error,
    [property: Id(5)] long LastSeq,
    [property: Id(6)] TaskSnapshot[] Tasks);
