namespace FlowMesh.Engine.Store;

/// <summary>A node as stored; <see cref="Epoch"/> is the registration it is on (a remote node's long poll is checked against it).</summary>
public sealed record NodeRow(string Id, string State, long Version, string Host, int Pid, long ProcessStart, DateTimeOffset HeartbeatAt, string Capacity, bool Cordoned = false, long Epoch = 0);
