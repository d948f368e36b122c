namespace FlowMesh.Server.Extensibility;

/// <summary>What a submission guard sees of a workflow.</summary>
/// <param name="Name">The workflow's name.</param>
/// <param name="Source">The file name the submitter gave.</param>
/// <param name="Tasks">Each task's name, task type and GPU count.</param>
public sealed record SubmittedWorkflow(string Name, string Source, IReadOnlyList<SubmittedTask> Tasks);
