namespace FlowMesh.Engine.Store;

/// <summary>The leader's answer to an inbox command: a JSON reply, or a failure with the HTTP status it maps to.</summary>
public sealed record InboxAnswer(long Id, string? Reply, string? Failure, int Status);
