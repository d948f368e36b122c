namespace FlowMesh.Engine.Agent.Protocol;

/// <summary>A draining node leaves; the tasks it hands back go to the queue again at once.</summary>
public sealed record LeaveRequest(long Epoch, IReadOnlyList<TaskLease> HandBack);
