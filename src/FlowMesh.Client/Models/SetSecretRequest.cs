namespace FlowMesh.Client.Models;

/// <summary>The body of <c>PUT /api/v1/secrets/{name}</c>.</summary>
/// <param name="Value">The secret's value (at most 64 KiB).</param>
public sealed record SetSecretRequest(string Value);
