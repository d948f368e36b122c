namespace FlowMesh.Engine.Store;

/// <summary>A tenant and its quotas; 0 means unlimited. The system tenant's admins manage other tenants and the nodes.</summary>
public sealed record TenantRow(string Id, DateTimeOffset CreatedAt, bool IsSystem, int MaxRunningTasks, int MaxGpus);
