namespace FlowMesh.Engine.Agent.Protocol;

/// <summary>One long-poll answer: new tasks to start and tasks to stop.</summary>
public sealed record WorkBatch(IReadOnlyList<WorkItem> Tasks, IReadOnlyList<TaskLease> Cancel);
