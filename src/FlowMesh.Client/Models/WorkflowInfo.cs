namespace FlowMesh.Client.Models;

/// <summary>A workflow with the state of each task.</summary>
/// <param name="Workflow">The workflow itself.</param>
/// <param name="Tasks">Its tasks in definition order.</param>
/// <param name="Counts">Tasks per state.</param>
public sealed record WorkflowInfo(WorkflowSummary Workflow, IReadOnlyList<TaskInfo> Tasks, IReadOnlyDictionary<string, int> Counts);
