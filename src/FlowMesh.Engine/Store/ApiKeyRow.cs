namespace FlowMesh.Engine.Store;

/// <summary>An API key: only a hash of its secret is kept.</summary>
public sealed record ApiKeyRow(string Id, string TenantId, string Name, string Role, string Hash, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);
