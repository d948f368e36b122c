namespace FlowMesh.Abstractions;

/// <summary>
/// What a workflow hands a task when its dependencies are done: the spec with templates resolved, the results of the
/// tasks it reads, and what it asks of a node. The task grain keeps it, so a restart can queue the task again.
/// </summary>
[GenerateSerializer, Immutable, Alias("fm.TaskWork")]
public sealed record TaskWork(
    [property: Id(0)] TaskRef Task,
    [property: Id(1)] string Name,
    [property: Id(2)] string TaskType,
    [property: Id(3)] string Tenant,
    [property: Id(4)] string SpecJson,
    [property: Id(5)] string UpstreamResultsJson,
    [property: Id(6)] string[] UpstreamTasks,
    [property: Id(7)] ResourceShape Resources);
