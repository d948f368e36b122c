using FlowMesh.Server.Extensibility;

namespace FlowMesh.TestExtensions;

/// <summary>Refuses workflows whose name starts with "forbidden".</summary>
public sealed class NoForbiddenWorkflows : ISubmissionGuard
{
    public ValueTask<string?> CheckAsync(FlowMeshPrincipal caller, SubmittedWorkflow workflow, CancellationToken cancellationToken) =>
        ValueTask.FromResult(workflow.Name.StartsWith("forbidden", StringComparison.Ordinal) ? $"policy: workflow names may not start with 'forbidden' ({caller.Tenant})" : null);
}
