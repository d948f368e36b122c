namespace FlowMesh.Client.Models;

/// <summary>An API key's record (never its secret).</summary>
/// <param name="Id">Key id; the token starts with it.</param>
/// <param name="Tenant">The tenant it acts for.</param>
/// <param name="Name">A label.</param>
/// <param name="Role">admin, operator or viewer.</param>
/// <param name="CreatedAt">When it was made.</param>
/// <param name="RevokedAt">When it was revoked, if it was.</param>
public sealed record TokenInfo(string Id, string Tenant, string Name, string Role, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);
