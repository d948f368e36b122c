namespace FlowMesh.Server.Extensibility;

/// <summary>Who is calling: the tenant every record they touch is scoped to, their role, and a name for audit.</summary>
/// <param name="Tenant">The tenant id; every workflow, task and result the caller sees belongs to it.</param>
/// <param name="Role">One of <see cref="Roles"/>: admin, operator, viewer or node.</param>
/// <param name="Subject">The key id or user name, recorded as a workflow's submitter.</param>
/// <param name="IsSystemAdmin">True for admins of the system tenant, who manage tenants and nodes.</param>
public sealed record FlowMeshPrincipal(string Tenant, string Role, string Subject, bool IsSystemAdmin);
