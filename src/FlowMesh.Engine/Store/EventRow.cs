namespace FlowMesh.Engine.Store;

/// <summary>One entry of a workflow's ordered event log.</summary>
public sealed record EventRow(string WorkflowId, long Seq, DateTimeOffset At, string Kind, string? Task, string Data);
