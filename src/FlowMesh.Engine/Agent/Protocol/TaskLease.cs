namespace FlowMesh.Engine.Agent.Protocol;

/// <summary>One task a node holds: the attempt number is the lease's fencing epoch.</summary>
public sealed record TaskLease(string WorkflowId, int Index, int Attempt);
