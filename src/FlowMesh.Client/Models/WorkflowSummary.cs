namespace FlowMesh.Client.Models;

/// <summary>A workflow as listings show it.</summary>
/// <param name="Id">Workflow id (wf-...).</param>
/// <param name="Name">The workflow's name.</param>
/// <param name="State">Pending, Running, Succeeded, Failed or Cancelled.</param>
/// <param name="Submitter">Who submitted it (key id or user).</param>
/// <param name="Source">The file name given at submission.</param>
/// <param name="Format">FlowMesh or N8n.</param>
/// <param name="SubmittedAt">When it was stored.</param>
/// <param name="FinishedAt">When it reached a terminal state.</param>
/// <param name="TaskCount">Number of tasks.</param>
/// <param name="Error">Why it failed, if it did.</param>
public sealed record WorkflowSummary(
    string Id,
    string Name,
    string State,
    string? Submitter,
    string Source,
    string Format,
    DateTimeOffset SubmittedAt,
    DateTimeOffset? FinishedAt,
    int TaskCount,
    string? Error);
