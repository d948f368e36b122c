namespace FlowMesh.Engine.Store;

/// <summary>One tenant's secret as stored: only its ciphertext (AES-GCM), the nonce and the id of the key that sealed it.</summary>
public sealed record SecretRow(string TenantId, string Name, string KeyId, string Nonce, string Ciphertext, DateTimeOffset UpdatedAt);
