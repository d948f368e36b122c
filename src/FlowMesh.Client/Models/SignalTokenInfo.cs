namespace FlowMesh.Client.Models;

/// <summary>A token that lets whoever holds it decide one approval gate, once, until it expires.</summary>
/// <param name="Token">Pass it to <c>POST /api/v1/signals</c> (no API key needed): <c>fms1.…</c>.</param>
/// <param name="WorkflowId">The workflow of the gate.</param>
/// <param name="Task">The approval task.</param>
/// <param name="Gate">Which opening of the gate it is for (a retry opens a new one; older tokens stop working).</param>
/// <param name="ExpiresAt">After this the token is refused.</param>
/// <param name="KeyId">The signing key's id (keys rotate; older keys verify during their grace period).</param>
public sealed record SignalTokenInfo(string Token, string WorkflowId, string Task, int Gate, DateTimeOffset ExpiresAt, string KeyId);
