using FlowMesh.Client.Models;
using FlowMesh.Server.Extensibility;
using FlowMesh.Server.Hosting;
using FlowMesh.Server.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace FlowMesh.Server.Api;

/// <summary>Tenants (system admins), API keys (tenant admins, for their own tenant) and usage (any role, own tenant).</summary>
internal static class AdminEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var tenants = api.MapGroup("/tenants").WithTags("tenancy");
        tenants.MapPost("", (TenantDirectory dir, CreateTenantRequest request) => Results.Created($"/api/v1/tenants/{request.Id}", dir.CreateTenant(request)))
            .Requires("tenant", "admin", Roles.Admin, systemAdminOnly: true).Produces<CreateTenantResponse>(201);
        tenants.MapGet("", (StoreAccess stores) =>
        {
            using var store = stores.Open();
            return store.ListTenants().Select(TenantDirectory.Map).ToArray();
        }).Requires("tenant", "admin", Roles.Admin, systemAdminOnly: true);

        var tokens = api.MapGroup("/tokens").WithTags("tenancy");
        tokens.MapPost("", CreateToken).Requires("token", "admin", Roles.Admin).Produces<CreatedToken>(201);
        tokens.MapGet("", (HttpContext http, StoreAccess stores) =>
        {
            using var store = stores.Open();
            return store.ListApiKeys(http.Caller().Tenant).Select(TenantDirectory.Map).ToArray();
        }).Requires("token", "admin", Roles.Admin);
        tokens.MapDelete("/{tokenId}", Revoke).Requires("token", "admin", Roles.Admin);

        api.MapGet("/usage", (HttpContext http, StoreAccess stores, int? limit) =>
        {
            using var store = stores.Open();
            return store.ListUsage(http.Caller().Tenant, Http.Limit(limit, 100, 10_000))
                .Select(u => new UsageInfo(u.WorkflowId, u.Task, u.Attempt, u.NodeId, u.State, u.Gpus, u.DurationMs, u.GpuSeconds, u.FinishedAt)).ToArray();
        }).Requires("usage", "read", Roles.Viewer).WithTags("tenancy");
    }

    private static IResult CreateToken(HttpContext http, TenantDirectory dir, StoreAccess stores, CreateTokenRequest request)
    {
        var caller = http.Caller();
        var tenant = request.Tenant ?? caller.Tenant;
        if (tenant != caller.Tenant)
        {
            // Only system admins act across tenants; to anyone else another tenant does not exist.
            using var store = stores.Open();
            if (!caller.IsSystemAdmin || store.GetTenant(tenant) is null)
            {
                throw ApiException.NotFound("tenant", tenant);
            }
        }

        var created = dir.CreateToken(tenant, request.Name, request.Role);
        return Results.Created($"/api/v1/tokens/{created.Info.Id}", created);
    }

    private static TokenInfo Revoke(HttpContext http, TenantDirectory dir, StoreAccess stores, string tokenId)
    {
        var caller = http.Caller();
        using var store = stores.Open();
        if (store.GetApiKey(tokenId) is not { } key || (key.TenantId != caller.Tenant && !caller.IsSystemAdmin))
        {
            throw ApiException.NotFound("token", tokenId);
        }

        if (!dir.Revoke(key.Id))
        {
            throw new ApiException(409, "token_revoked", $"token {key.Id} was already revoked", "tokenId");
        }

        return TenantDirectory.Map(store.GetApiKey(key.Id)!);
    }
}
