namespace FlowMesh.Client.Models;

/// <summary>Names one task.</summary>
/// <param name="WorkflowId">Its workflow.</param>
/// <param name="Task">Its name.</param>
public sealed record TaskRef(string WorkflowId, string Task);
