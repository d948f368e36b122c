namespace FlowMesh.Client.Models;

/// <summary>One page of a workflow listing, newest first.</summary>
/// <param name="Items">The workflows on this page.</param>
/// <param name="NextCursor">Pass as <c>cursor</c> for the next page; null on the last page.</param>
public sealed record WorkflowPage(IReadOnlyList<WorkflowSummary> Items, string? NextCursor);
