namespace FlowMesh.Abstractions;

/// <summary>A validated workflow as the workflow grain stores it: who submitted it for which tenant, and its tasks in file order.</summary>
[GenerateSerializer, Immutable, Alias("fm.WorkflowPlan")]
public sealed record WorkflowPlan(
    [property: Id(0)] string Name,
    [property: Id(1)] string Tenant,
    [property: Id(2)] string? Submitter,
    [property: Id(3)] string? SourceFile,
    [property: Id(4)] TaskPlan[] Tasks)
{
    /// <summary>The W3C trace context the workflow's span continues, when the submitter traces.</summary>
    [Id(5)]
    public string? TraceParent { get; init; }
}
