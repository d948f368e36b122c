using FlowMesh.Client.Models;

namespace FlowMesh.Client;

/// <summary>400 for an invalid workflow or request; <see cref="Errors"/> lists each problem with file, line and field.</summary>
/// <param name="problem">The server's answer.</param>
public sealed class FlowMeshValidationException(ApiProblem problem) : FlowMeshException(problem)
{
    /// <summary>Every diagnostic of an invalid workflow (empty for other bad requests).</summary>
    public IReadOnlyList<DiagnosticInfo> Errors => Problem.Errors ?? [];
}
