using FlowMesh.Engine.Actors;

namespace FlowMesh.Engine.Agent.Protocol;

/// <summary>What a node agent says when it joins: who it is, what it has, and what it still runs (after a restart).</summary>
public sealed record NodeRegistration(string NodeId, string Host, int Pid, long ProcessStart, NodeCapacity Capacity, IReadOnlyList<TaskLease> Running);
