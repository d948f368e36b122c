using FlowMesh.Runtime.Storage;

namespace FlowMesh.Runtime.Hosting;

/// <summary>How to start a FlowMesh silo: embedded (SQLite under the data directory) or a cluster member (Redis).</summary>
public sealed class SiloSettings
{
    /// <summary>Results, work files and (embedded) the SQLite file live here.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>Null for the embedded store; a <c>redis://host:port</c> URL (or StackExchange string) for a cluster.</summary>
    public string? Store { get; init; }

    public SqliteDurability Durability { get; init; } = SqliteDurability.Fsync;

    /// <summary>Silo-to-silo port (cluster); 0 picks a free one.</summary>
    public int SiloPort { get; init; }

    /// <summary>The port Orleans clients (agents, host apps, the CLI) connect to; 0 picks a free one.</summary>
    public int GatewayPort { get; init; }

    /// <summary>The cluster's id: silos and clients of one cluster share it (and its Redis).</summary>
    public string ClusterId { get; init; } = "flowmesh";

    public string ServiceId { get; init; } = "flowmesh";

    /// <summary>Run a node in the silo's process (the embedded node); a cluster's GPU machines run agents instead.</summary>
    public bool EmbeddedNode { get; init; } = true;

    /// <summary>
    /// How long a silo waits for a probe's answer; a silo that misses two in a row is voted dead and its grains move.
    /// Shorter than Orleans' default (5 s, three probes), because a task fabric's watchers and agents wait on the move.
    /// </summary>
    public TimeSpan ProbeTimeout { get; init; } = TimeSpan.FromSeconds(2);

    public Action<EmbeddedNodeOptions>? ConfigureNode { get; init; }

    public Action<RuntimeOptions>? ConfigureRuntime { get; init; }

    /// <summary>The SQLite file of the embedded store.</summary>
    public string DatabasePath => Path.Combine(DataDirectory, "grains.db");

    public bool IsCluster => Store is not null;
}
