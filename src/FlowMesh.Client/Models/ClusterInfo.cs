namespace FlowMesh.Client.Models;

/// <summary>How the server runs: alone over SQLite, or as one replica of a cluster over PostgreSQL.</summary>
/// <param name="Mode"><c>single</c> or <c>cluster</c>.</param>
/// <param name="Replica">The name of the replica that answered.</param>
/// <param name="Leader">The replica that runs the scheduler now (null in a cluster between leaders; this server when single).</param>
/// <param name="Term">The leader's term: it grows by one at every takeover (0 when single).</param>
/// <param name="IsLeader">True when the answering replica is the leader.</param>
public sealed record ClusterInfo(string Mode, string Replica, string? Leader, long Term, bool IsLeader);
