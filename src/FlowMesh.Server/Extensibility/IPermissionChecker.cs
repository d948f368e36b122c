namespace FlowMesh.Server.Extensibility;

/// <summary>
/// Refines the role rules. Every checker is asked after the built-in role check passed; any that answers false denies
/// (403). Checkers cannot grant what the role does not allow, and cannot see other tenants' records.
/// </summary>
public interface IPermissionChecker
{
    /// <summary>False to deny <paramref name="action"/> on <paramref name="resource"/> (a kind such as "workflow").</summary>
    ValueTask<bool> IsAllowedAsync(FlowMeshPrincipal caller, string resource, string action, CancellationToken cancellationToken);
}
