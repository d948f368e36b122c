namespace FlowMesh.Client.Models;

/// <summary>A task of a validated workflow.</summary>
/// <param name="Name">Task name.</param>
/// <param name="TaskType">Its task type.</param>
/// <param name="DependsOn">Its dependencies.</param>
public sealed record ValidatedTask(string Name, string TaskType, IReadOnlyList<string> DependsOn);
