namespace FlowMesh.Abstractions;

/// <summary>No workflow has this id (or the caller may not see it).</summary>
[GenerateSerializer, Alias("fm.WorkflowNotFoundException")]
public sealed class WorkflowNotFoundException : Exception
{
    public WorkflowNotFoundException(string workflowId)
        : base($"workflow '{workflowId}' is not known") => WorkflowId = workflowId;

    [Id(0)]
    public string WorkflowId { get; private set; }

    public string Code => "workflow_not_found";
}
