namespace FlowMesh.Client.Models;

/// <summary>Creates an API key.</summary>
/// <param name="Name">A label.</param>
/// <param name="Role">admin, operator or viewer.</param>
/// <param name="Tenant">The tenant (default: the caller's; another tenant needs a system admin).</param>
public sealed record CreateTokenRequest(string Name, string Role, string? Tenant = null);
