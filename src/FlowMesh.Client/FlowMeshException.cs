using FlowMesh.Client.Models;

namespace FlowMesh.Client;

/// <summary>The server answered with an error. <see cref="Code"/> is stable and safe to branch on.</summary>
public class FlowMeshException : Exception
{
    /// <summary>Creates the exception from the server's problem answer.</summary>
    public FlowMeshException(ApiProblem problem)
        : base($"{problem.Status} {problem.Code}: {problem.Detail}")
    {
        Problem = problem;
    }

    /// <summary>The problem as the server sent it.</summary>
    public ApiProblem Problem { get; }

    /// <summary>HTTP status.</summary>
    public int Status => Problem.Status;

    /// <summary>Stable machine code, such as <c>workflow_not_found</c>.</summary>
    public string Code => Problem.Code;

    /// <summary>The field or parameter at fault, if the server named one.</summary>
    public string? Field => Problem.Field;
}
