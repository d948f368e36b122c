using FlowMesh.Client.Models;

namespace FlowMesh.Client;

/// <summary>401 (missing, unknown or revoked token) or 403 (the role does not allow it).</summary>
/// <param name="problem">The server's answer.</param>
public sealed class FlowMeshAuthenticationException(ApiProblem problem) : FlowMeshException(problem)
{
    /// <summary>True for 403: the token is valid but its role or a policy forbids the call.</summary>
    public bool IsForbidden => Status == 403;
}
