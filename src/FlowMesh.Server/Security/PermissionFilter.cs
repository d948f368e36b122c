using FlowMesh.Server.Api;
using FlowMesh.Server.Extensibility;
using Microsoft.AspNetCore.Http;

namespace FlowMesh.Server.Security;

/// <summary>Applies each route's <see cref="Permission"/>: role rank, system-admin routes, then the extension checkers.</summary>
internal sealed class PermissionFilter(IEnumerable<IPermissionChecker> checkers) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var caller = BearerAuthenticationHandler.Caller(http) ?? throw new ApiException(401, "missing_token", "this route needs an API key");
        if (http.GetEndpoint()?.Metadata.GetMetadata<Permission>() is not { } permission)
        {
            throw new ApiException(403, "route_not_permitted", "this route declares no permission rule, so nobody may call it");
        }

        var nodeAgent = permission.NodeAgents && caller.Role == Roles.Node && caller.Tenant == Engine.Store.StoreSchema.DefaultTenant;
        if (!nodeAgent && (Roles.Rank(caller.Role) < Roles.Rank(permission.MinRole) || (permission.SystemAdminOnly && !caller.IsSystemAdmin)))
        {
            var needs = permission.NodeAgents ? "a node key or an admin of the system tenant"
                : permission.SystemAdminOnly ? "an admin of the system tenant" : $"role {permission.MinRole} or higher";
            throw new ApiException(403, "forbidden", $"{permission.Action} on {permission.Resource} needs {needs}; your key is {caller.Role}");
        }

        foreach (var checker in checkers)
        {
            if (!await checker.IsAllowedAsync(caller, permission.Resource, permission.Action, http.RequestAborted).ConfigureAwait(false))
            {
                throw new ApiException(403, "forbidden", $"{permission.Action} on {permission.Resource} was denied by policy");
            }
        }

        return await next(context).ConfigureAwait(false);
    }
}
