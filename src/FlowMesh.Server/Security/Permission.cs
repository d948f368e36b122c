namespace FlowMesh.Server.Security;

/// <summary>
/// Route metadata: what a route does and the least role that may do it. The permission filter refuses a route that has
/// none, so a new route cannot ship without stating its rule.
/// </summary>
/// <remarks><see cref="NodeAgents"/>: a system-tenant key with role node may call it too (the agent routes).</remarks>
internal sealed record Permission(string Resource, string Action, string MinRole, bool SystemAdminOnly = false, bool NodeAgents = false);
