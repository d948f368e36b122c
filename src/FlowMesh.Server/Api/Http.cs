using FlowMesh.Server.Extensibility;
using FlowMesh.Server.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace FlowMesh.Server.Api;

internal static class Http
{
    public static FlowMeshPrincipal Caller(this HttpContext context) =>
        BearerAuthenticationHandler.Caller(context) ?? throw new ApiException(401, "missing_token", "this route needs an API key");

    /// <summary>States the route's permission rule; routes without one are refused by <see cref="PermissionFilter"/>.</summary>
    public static RouteHandlerBuilder Requires(this RouteHandlerBuilder route, string resource, string action, string minRole, bool systemAdminOnly = false) =>
        route.WithMetadata(new Permission(resource, action, minRole, systemAdminOnly));

    /// <summary>A node agent route: system-tenant keys with role node, or system admins.</summary>
    public static RouteHandlerBuilder RequiresNodeAgent(this RouteHandlerBuilder route, string action) =>
        route.WithMetadata(new Permission("node", action, Roles.Admin, SystemAdminOnly: true, NodeAgents: true));

    public static int Limit(int? requested, int fallback, int max, string field = "limit") => requested switch
    {
        null => fallback,
        < 1 => throw new ApiException(400, "invalid_limit", $"{field} must be between 1 and {max}", field),
        var l when l > max => throw new ApiException(400, "invalid_limit", $"{field} must be between 1 and {max}", field),
        var l => l.Value,
    };
}
