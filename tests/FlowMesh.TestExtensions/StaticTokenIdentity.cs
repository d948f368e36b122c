using FlowMesh.Server.Extensibility;

namespace FlowMesh.TestExtensions;

/// <summary>Two fixed tokens of the default tenant: a viewer, and an operator that the permission checker blocks.</summary>
public sealed class StaticTokenIdentity : IIdentityProvider
{
    public ValueTask<FlowMeshPrincipal?> AuthenticateAsync(string token, CancellationToken cancellationToken) => ValueTask.FromResult(token switch
    {
        "ext-token-viewer" => new FlowMeshPrincipal("default", Roles.Viewer, "ext-viewer", false),
        "ext-token-blocked" => new FlowMeshPrincipal("default", Roles.Operator, "ext-blocked", false),
        _ => (FlowMeshPrincipal?)null,
    });
}
