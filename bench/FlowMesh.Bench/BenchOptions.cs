namespace FlowMesh.Bench;

/// <summary>What a bench run was asked for; see <see cref="Program"/> for the flags.</summary>
internal sealed record BenchOptions
{
    /// <summary>
    /// embedded (one process, SQLite), server (flowmesh server on SQLite + a node agent process), cluster (PostgreSQL);
    /// on the Orleans runtime: grains (one silo in this process, SQLite, its embedded node) or grains-cluster (Redis,
    /// silo and agent processes).
    /// </summary>
    public string Mode { get; init; } = "embedded";

    public static readonly IReadOnlyList<string> Modes = ["embedded", "server", "cluster", "grains", "grains-cluster"];

    public int Runs { get; init; } = 5;

    /// <summary>SQLite commits: fsync (survives a power cut) or process (survives kill -9). Embedded, server and grains modes.</summary>
    public FlowMesh.Engine.Store.CommitDurability Durability { get; init; } = FlowMesh.Engine.Store.CommitDurability.Fsync;

    /// <summary>A PostgreSQL connection string with the right to create databases (cluster mode makes one per run).</summary>
    public string? Postgres { get; init; } = Environment.GetEnvironmentVariable("FLOWMESH_BENCH_PG");

    /// <summary>Agent processes in grains-cluster mode; they share <see cref="Slots"/> between them.</summary>
    public int Agents { get; init; } = 2;

    /// <summary>Tasks a node runs at once. Echo tasks ask for no CPU or memory, so slots are what bounds a node.</summary>
    public int Slots { get; init; } = 512;

    /// <summary>Where stores and results go: a real disk, since durable commits wait for fsync.</summary>
    public string WorkDir { get; init; } = Path.GetTempPath();

    /// <summary>A fresh directory under <see cref="WorkDir"/> for one run.</summary>
    public string NewDirectory() => Directory.CreateDirectory(Path.Combine(WorkDir, $"flowmesh-bench-{Guid.NewGuid():N}")).FullName;

    public bool IsRemote => Mode is "cluster" or "server";

    /// <summary>The Orleans runtime (FlowMesh.Runtime) rather than the engine: grains or grains-cluster.</summary>
    public bool IsGrains => Mode is "grains" or "grains-cluster";
}
