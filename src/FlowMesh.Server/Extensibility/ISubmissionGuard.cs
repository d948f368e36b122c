namespace FlowMesh.Server.Extensibility;

/// <summary>Inspects a parsed workflow before it is stored and may refuse it (for example a policy on task types or GPUs).</summary>
public interface ISubmissionGuard
{
    /// <summary>Null to accept; otherwise the reason, which the caller receives as a 403 problem with code <c>submission_rejected</c>.</summary>
    ValueTask<string?> CheckAsync(FlowMeshPrincipal caller, SubmittedWorkflow workflow, CancellationToken cancellationToken);
}
