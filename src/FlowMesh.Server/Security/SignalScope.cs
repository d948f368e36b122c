namespace FlowMesh.Server.Security;

/// <summary>The one wait a signal token may decide: a workflow's approval task, at the gate (attempt) it was issued for.</summary>
internal sealed record SignalScope(string WorkflowId, string Task, int Gate, DateTimeOffset ExpiresAt);
