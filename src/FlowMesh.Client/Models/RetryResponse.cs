namespace FlowMesh.Client.Models;

/// <summary>The outcome of a retry.</summary>
/// <param name="WorkflowId">The workflow.</param>
/// <param name="Reopened">How many failed or cancelled tasks run again.</param>
public sealed record RetryResponse(string WorkflowId, int Reopened);
