namespace FlowMesh.Client.Models;

/// <summary>A new tenant and the admin token made for it (shown once).</summary>
/// <param name="Tenant">The tenant.</param>
/// <param name="AdminToken">An admin API key for the tenant; only its hash is kept.</param>
public sealed record CreateTenantResponse(TenantInfo Tenant, CreatedToken AdminToken);
