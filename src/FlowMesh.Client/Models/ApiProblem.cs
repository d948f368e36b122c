namespace FlowMesh.Client.Models;

/// <summary>An error answer (application/problem+json).</summary>
/// <param name="Type">A URI naming the problem type.</param>
/// <param name="Title">Short summary.</param>
/// <param name="Status">HTTP status.</param>
/// <param name="Detail">What went wrong, readable.</param>
/// <param name="Code">Stable machine code, such as <c>workflow_not_found</c> or <c>invalid_workflow</c>.</param>
/// <param name="Field">The field or parameter at fault, if one is.</param>
/// <param name="Errors">For invalid workflows: every diagnostic.</param>
public sealed record ApiProblem(string Type, string Title, int Status, string Detail, string Code, string? Field, IReadOnlyList<DiagnosticInfo>? Errors);
