using FlowMesh.Server.Extensibility;

namespace FlowMesh.TestExtensions;

/// <summary>Denies every workflow action to the subject "ext-blocked", whatever its role allows.</summary>
public sealed class BlockedSubjectChecker : IPermissionChecker
{
    public ValueTask<bool> IsAllowedAsync(FlowMeshPrincipal caller, string resource, string action, CancellationToken cancellationToken) =>
        ValueTask.FromResult(!(caller.Subject == "ext-blocked" && resource == "workflow"));
}
