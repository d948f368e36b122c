namespace FlowMesh.Client.Models;

/// <summary>A tenant's secret as the API shows it: its name and when it was set, never its value.</summary>
/// <param name="Name">The name tasks refer to in <c>secrets: {ENV_VAR: name}</c>.</param>
/// <param name="UpdatedAt">When it was last set.</param>
/// <param name="KeyId">The id of the configured key that seals it (rotation: set it again to move it to the current key).</param>
public sealed record SecretInfo(string Name, DateTimeOffset UpdatedAt, string KeyId);
