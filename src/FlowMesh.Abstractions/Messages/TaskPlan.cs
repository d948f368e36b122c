namespace FlowMesh.Abstractions;

/// <summary>One task of a submitted workflow: its effective spec as JSON text and the indices of the tasks it depends on.</summary>
[GenerateSerializer, Immutable, Alias("fm.TaskPlan")]
public sealed record TaskPlan(
    [property: Id(0)] string Name,
    [property: Id(1)] string TaskType,
    [property: Id(2)] string SpecJson,
    [property: Id(3)] int[] Deps,
    [property: Id(4)] ResourceShape Resources,
    [property: Id(5)] ConditionPlan? Condition);
