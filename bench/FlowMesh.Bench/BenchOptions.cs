namespace FlowMesh.Bench;

/// <summary>What a bench run was asked for; see <see cref="Program"/> for the flags.</summary>
internal sealed record BenchOptions
{
    /// <summary>embedded (one process, SQLite), server (flowmesh server on SQLite + a node agent process) or cluster (PostgreSQL).</summary>
    public string Mode { get; init; } = "embedded";

    public int Runs { get; init; } = 5;

    /// <summary>SQLite commits: fsync (survives a power cut) or process (survives kill -9). Embedded and server modes.</summary>
    public FlowMesh.Engine.Store.CommitDurability Durability { get; init; } = FlowMesh.Engine.Store.CommitDurability.Fsync;

    /// <summary>A PostgreSQL connection string with the right to create databases (cluster mode makes one per run).</summary>
    public string? Postgres { get; init; } = Environment.GetEnvironmentVariable("FLOWMESH_BENCH_PG");

    /// <summary>Tasks a node runs at once. Echo tasks ask for no CPU or memory, so slots are what bounds a node.</summary>
    public int Slots { get; init; } = 512;

    /// <summary>Where stores and results go: a real disk, since durable commits wait for fsync.</summary>
    public string WorkDir { get; init; } = Path.GetTempPath();

    /// <summary>A fresh directory under <see cref="WorkDir"/> for one run.</summary>
    public string NewDirectory() => Directory.CreateDirectory(Path.Combine(WorkDir, $"flowmesh-bench-{Guid.NewGuid():N}")).FullName;

    public bool IsRemote => Mode is "cluster" or "server";
}
