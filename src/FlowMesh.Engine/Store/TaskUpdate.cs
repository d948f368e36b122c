namespace FlowMesh.Engine.Store;

/// <summary>The new values of a task row written by one version-checked transition.</summary>
public sealed record TaskUpdate(string State, int Attempt, string? NodeId, string? Result, string? Error, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, IReadOnlyList<int>? Gpus = null);
