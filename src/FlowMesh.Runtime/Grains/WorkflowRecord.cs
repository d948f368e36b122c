using FlowMesh.Abstractions;

namespace FlowMesh.Runtime.Grains;

/// <summary>What a workflow grain stores besides its event log: the plan, written once at submit.</summary>
[GenerateSerializer, Alias("fm.WorkflowRecord")]
public sealed class WorkflowRecord
{
    [Id(0)]
    public WorkflowPlan? Plan { get; set; }

    [Id(1)]
    public DateTimeOffset SubmittedAt { get; set; }
}
