namespace FlowMesh.Client.Models;

/// <summary>Who the presented API key is: what the dashboard and scripts use to know what they may do.</summary>
/// <param name="Tenant">The tenant the key belongs to; everything the caller sees is this tenant's.</param>
/// <param name="Role">viewer, operator, admin or node.</param>
/// <param name="Subject">The key's id (never its secret).</param>
/// <param name="IsSystemAdmin">An admin of the system tenant: may manage tenants and cordon nodes.</param>
public sealed record CallerInfo(string Tenant, string Role, string Subject, bool IsSystemAdmin);
