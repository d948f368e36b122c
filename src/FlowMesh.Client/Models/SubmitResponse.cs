namespace FlowMesh.Client.Models;

/// <summary>What a successful submission returns.</summary>
/// <param name="WorkflowId">The new workflow's id.</param>
/// <param name="Name">Its name.</param>
/// <param name="Tasks">Its tasks and their initial states.</param>
public sealed record SubmitResponse(string WorkflowId, string Name, IReadOnlyList<TaskInfo> Tasks);
