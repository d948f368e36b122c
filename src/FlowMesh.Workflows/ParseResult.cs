using FlowMesh.Workflows.Source;

namespace FlowMesh.Workflows;

public sealed record ParseResult(WorkflowDefinition? Workflow, IReadOnlyList<Diagnostic> Diagnostics)
{
    public bool Success => Workflow is not null && Diagnostics.Count == 0;
}
