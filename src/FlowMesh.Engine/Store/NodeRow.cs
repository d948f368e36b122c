namespace FlowMesh.Engine.Store;

public sealed record NodeRow(string Id, string State, long Version, string Host, int Pid, long ProcessStart, DateTimeOffset HeartbeatAt, string Capacity, bool Cordoned = false);
