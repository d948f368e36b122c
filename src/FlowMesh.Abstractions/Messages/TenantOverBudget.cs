namespace FlowMesh.Abstractions;

/// <summary>A GPU attempt placed while its tenant was over its soft budget: what a <c>task.over_budget</c> event says.</summary>
[GenerateSerializer, Immutable, Alias("fm.TenantOverBudget")]
public sealed record TenantOverBudget(
    [property: Id(0)] TaskRef Task,
    [property: Id(1)] int Attempt,
    [property: Id(2)] string Reason,
    [property: Id(3)] DateTimeOffset At);
