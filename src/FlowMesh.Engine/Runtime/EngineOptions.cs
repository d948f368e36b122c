namespace FlowMesh.Engine.Runtime;

/// <summary>Settings of the embedded engine and its node agent. Defaults are what <c>flowmesh run</c> uses.</summary>
public sealed class EngineOptions
{
    /// <summary>Where the store, results and work files live. Default: <see cref="DataDirectory.Default"/>.</summary>
    public string DataDirectory { get; set; } = Runtime.DataDirectory.Default();

    /// <summary>The store. Default null: SQLite in <see cref="DataDirectory"/>. A PostgreSQL store is cluster mode.</summary>
    public Store.StoreLocation? Store { get; set; }

    /// <summary>
    /// Set when this engine runs as the cluster's leader in this term: every transaction first checks that the term is
    /// still current (a deposed leader's late commit fails instead of landing), work for remote nodes is queued in the
    /// store in the transaction that placed it, and commits notify watchers on every replica. Default null: alone.
    /// </summary>
    public long? ClusterTerm { get; set; }

    /// <summary>
    /// What a commit of the default store (SQLite in <see cref="DataDirectory"/>) survives before callers are acknowledged.
    /// Default <see cref="Store.CommitDurability.Fsync"/> (a power cut too); <see cref="Store.CommitDurability.Process"/>
    /// survives a kill -9 only, and commits several times faster on disks where fsync is slow. A given <see cref="Store"/>
    /// carries its own.
    /// </summary>
    public FlowMesh.Engine.Store.CommitDurability Durability { get; set; } = FlowMesh.Engine.Store.CommitDurability.Fsync;

    /// <summary>The store this engine opens.</summary>
    public Store.StoreLocation StoreLocation => Store ?? (FlowMesh.Engine.Store.StoreLocation.Sqlite(DataDirectory) with { Durability = Durability });

    /// <summary>CPUs the embedded node offers. Default 0: the machine's logical CPU count.</summary>
    public double NodeCpus { get; set; }

    /// <summary>Memory the embedded node offers, in bytes. Default 0: the machine's total memory.</summary>
    public long NodeMemoryBytes { get; set; }

    /// <summary>Tasks the embedded node runs at once. Default 0: twice the CPU count, at least 4.</summary>
    public int NodeSlots { get; set; }

    /// <summary>Most commands applied in one store transaction (group commit). Default 4096.</summary>
    public int MaxBatch { get; set; } = 4096;

    /// <summary>Python interpreter for python tasks. Default <c>python3</c> (or FLOWMESH_PYTHON).</summary>
    public string PythonInterpreter { get; set; } = Environment.GetEnvironmentVariable("FLOWMESH_PYTHON") ?? "python3";

    /// <summary>Log lines buffered per task before they are written as one event. Default 64.</summary>
    public int LogBatchLines { get; set; } = 64;

    /// <summary>
    /// Start the embedded node cordoned, so it runs nothing until an admin uncordons it. Default false; <c>flowmesh server</c>
    /// sets it, <c>flowmesh up</c> does not.
    /// </summary>
    public bool StartCordoned { get; set; }

    /// <summary>How long a remote node's task lease lasts without a heartbeat that renews it. Default 15 s.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often a remote node heartbeats; the server tells each node this when it registers. Default 3 s.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How often the engine looks for expired leases and silent nodes. Default 1 s.</summary>
    public TimeSpan LeaseCheckInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a task that no live node could ever run waits (with the reason noted) for a node that fits to join,
    /// before it fails. Default zero: fail at once (<c>flowmesh run</c>: the only node is this one). Servers wait.
    /// </summary>
    public TimeSpan UnplaceableTimeout { get; set; } = TimeSpan.Zero;

    /// <summary>GPUs the embedded node offers, declared (as a node agent's --gpu): they win over what nvidia-smi reports. Default none: detected.</summary>
    public IList<Actors.GpuDevice> NodeGpus { get; } = [];

    /// <summary>Labels of the embedded node, which tasks' <c>nodeSelector</c> match. Default none.</summary>
    public IDictionary<string, string> NodeLabels { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// Keys that seal tenants' secrets, <c>ID=BASE64,…</c> (32-byte AES keys; the first encrypts). Default
    /// FLOWMESH_SECRET_KEYS; without keys, secrets cannot be stored and tasks that use them fail.
    /// </summary>
    public string? SecretKeys { get; set; } = Environment.GetEnvironmentVariable("FLOWMESH_SECRET_KEYS");

    /// <summary>How ready tasks are ordered between and within tenants, and where they are placed.</summary>
    public Scheduling.SchedulerOptions Scheduler { get; } = new();

    /// <summary>How the embedded node runs container tasks (when a Docker or Podman socket is found).</summary>
    public Containers.ContainerOptions Containers { get; } = new();

    public void Validate()
    {
        Containers.Validate();
        Scheduler.Validate();
        _ = Secrets.SecretBox.Parse(SecretKeys);
        if (string.IsNullOrWhiteSpace(DataDirectory))
        {
            throw new ArgumentException("EngineOptions.DataDirectory must be set");
        }

        if (NodeCpus < 0 || NodeMemoryBytes < 0 || NodeSlots < 0)
        {
            throw new ArgumentException("EngineOptions node capacity cannot be negative");
        }

        if (LeaseDuration <= TimeSpan.Zero || HeartbeatInterval <= TimeSpan.Zero || LeaseCheckInterval <= TimeSpan.Zero || HeartbeatInterval >= LeaseDuration || UnplaceableTimeout < TimeSpan.Zero)
        {
            throw new ArgumentException("EngineOptions: lease, heartbeat and lease-check intervals must be positive, and heartbeats more frequent than the lease");
        }

        if (MaxBatch < 1 || LogBatchLines < 1)
        {
            throw new ArgumentException("EngineOptions.MaxBatch and LogBatchLines must be at least 1");
        }
    }
}
