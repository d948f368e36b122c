namespace FlowMesh.Client.Models;

/// <summary>The outcome of validating a workflow without running it.</summary>
/// <param name="Ok">True when the workflow is valid.</param>
/// <param name="Name">Its name, when it could be read.</param>
/// <param name="Tasks">Its tasks, when valid.</param>
/// <param name="Errors">Every problem found, each with file, line, column and field.</param>
public sealed record ValidateResponse(bool Ok, string? Name, IReadOnlyList<ValidatedTask> Tasks, IReadOnlyList<DiagnosticInfo> Errors);
