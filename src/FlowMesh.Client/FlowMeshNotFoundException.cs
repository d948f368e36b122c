using FlowMesh.Client.Models;

namespace FlowMesh.Client;

/// <summary>404: the id does not exist for your tenant (another tenant's ids read exactly the same).</summary>
/// <param name="problem">The server's answer.</param>
public sealed class FlowMeshNotFoundException(ApiProblem problem) : FlowMeshException(problem);
