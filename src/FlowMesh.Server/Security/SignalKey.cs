namespace FlowMesh.Server.Security;

/// <summary>A key that signs (the first configured) or still verifies (the others, until <see cref="ValidUntil"/>) signal tokens.</summary>
internal sealed record SignalKey(string Id, byte[] Secret, DateTimeOffset? ValidUntil);
