namespace FlowMesh.Abstractions;

/// <summary>Run the task only when <paramref name="Field"/> of <paramref name="Node"/>'s result equals <paramref name="EqualsValue"/>.</summary>
[GenerateSerializer, Immutable, Alias("fm.ConditionPlan")]
public sealed record ConditionPlan([property: Id(0)] string Node, [property: Id(1)] string Field, [property: Id(2)] string EqualsValue);
