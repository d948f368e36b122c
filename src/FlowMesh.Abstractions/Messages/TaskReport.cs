namespace FlowMesh.Abstractions;

/// <summary>How an attempt ended, as the node that ran it reports it; refused unless that node holds that attempt's lease.</summary>
[GenerateSerializer, Immutable, Alias("fm.TaskReport")]
public sealed record TaskReport(
    [property: Id(0)] TaskRef Task,
    [property: Id(1)] string NodeId,
    [property: Id(2)] int Attempt,
    [property: Id(3)] bool Succeeded,
    [property: Id(4)] string? ResultJson,
    [property: Id(5)] string? Error,
    [property: Id(6)] LogEntry[] Logs);
