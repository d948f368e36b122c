namespace FlowMesh.Client.Models;

/// <summary>One task of a workflow.</summary>
/// <param name="Name">Task name, unique in its workflow.</param>
/// <param name="TaskType">echo, python, inference, ...</param>
/// <param name="State">Pending, Ready, Running, Succeeded, Failed, Skipped or Cancelled.</param>
/// <param name="DependsOn">Names of the tasks it waits for.</param>
/// <param name="Attempt">How many times it was placed.</param>
/// <param name="Node">The node it runs or ran on.</param>
/// <param name="StartedAt">When it was last placed.</param>
/// <param name="FinishedAt">When it ended.</param>
/// <param name="Error">Why it failed or was cancelled.</param>
/// <param name="WaitingOn">For a task not yet running: why it waits (upstream tasks, node capacity, quota, cordon).</param>
public sealed record TaskInfo(
    string Name,
    string TaskType,
    string State,
    IReadOnlyList<string> DependsOn,
    int Attempt,
    string? Node,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    string? Error,
    string? WaitingOn);
