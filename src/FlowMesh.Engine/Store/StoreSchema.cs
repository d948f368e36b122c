namespace FlowMesh.Engine.Store;

/// <summary>
/// Versioned schema, one per backend with the same tables and meaning; a store newer than this code is refused rather
/// than misread, an older one is migrated in place at start-up.
/// </summary>
internal static class StoreSchema
{
    public const int Version = 5;

    /// <summary>The tenant that local runs and the server's first admin belong to.</summary>
    public const string DefaultTenant = "default";

    public const string Meta = "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);";

    // The tables of both backends, written once: {big} is a 64-bit integer, {real} a double, {table} what ends a
    // table keyed by its primary key.
    private const string Tables = """
        CREATE TABLE IF NOT EXISTS workflows (
            id TEXT PRIMARY KEY, name TEXT NOT NULL, state TEXT NOT NULL, version {big} NOT NULL,
            source_file TEXT NOT NULL, format TEXT NOT NULL, owner_node TEXT, error TEXT,
            submitted_at TEXT NOT NULL, finished_at TEXT, task_count INTEGER NOT NULL,
            tenant_id TEXT NOT NULL DEFAULT 'default', submitter TEXT);
        CREATE INDEX IF NOT EXISTS ix_workflows_state ON workflows(state, submitted_at);
        CREATE INDEX IF NOT EXISTS ix_workflows_tenant ON workflows(tenant_id, submitted_at, id);
        CREATE INDEX IF NOT EXISTS ix_workflows_finished ON workflows(finished_at) WHERE finished_at IS NOT NULL;
        CREATE TABLE IF NOT EXISTS tasks (
            workflow_id TEXT NOT NULL, idx INTEGER NOT NULL, name TEXT NOT NULL, task_type TEXT NOT NULL,
            state TEXT NOT NULL, version {big} NOT NULL, spec TEXT NOT NULL, deps TEXT NOT NULL, resources TEXT NOT NULL,
            attempt INTEGER NOT NULL, node_id TEXT, result TEXT, error TEXT, started_at TEXT, finished_at TEXT, waiting TEXT, gpus TEXT,
            PRIMARY KEY (workflow_id, idx)){table};
        CREATE INDEX IF NOT EXISTS ix_tasks_running ON tasks(node_id) WHERE state = 'Running';
        CREATE TABLE IF NOT EXISTS events (
            workflow_id TEXT NOT NULL, seq {big} NOT NULL, at TEXT NOT NULL, kind TEXT NOT NULL, task TEXT, data TEXT NOT NULL,
            PRIMARY KEY (workflow_id, seq)){table};
        CREATE TABLE IF NOT EXISTS nodes (
            id TEXT PRIMARY KEY, state TEXT NOT NULL, version {big} NOT NULL, host TEXT NOT NULL, pid INTEGER NOT NULL,
            process_start {big} NOT NULL, heartbeat_at TEXT NOT NULL, capacity TEXT NOT NULL, cordoned INTEGER NOT NULL DEFAULT 0,
            epoch {big} NOT NULL DEFAULT 0);
        CREATE TABLE IF NOT EXISTS tenants (
            id TEXT PRIMARY KEY, created_at TEXT NOT NULL, is_system INTEGER NOT NULL,
            max_running_tasks INTEGER NOT NULL, max_gpus INTEGER NOT NULL, weight {real} NOT NULL DEFAULT 1,
            budget_gpu_seconds {real} NOT NULL DEFAULT 0, budget_period_seconds {big} NOT NULL DEFAULT 0, budget_hard INTEGER NOT NULL DEFAULT 1);
        CREATE TABLE IF NOT EXISTS secrets (
            tenant_id TEXT NOT NULL, name TEXT NOT NULL, key_id TEXT NOT NULL, nonce TEXT NOT NULL, ciphertext TEXT NOT NULL,
            updated_at TEXT NOT NULL, PRIMARY KEY (tenant_id, name)){table};
        CREATE TABLE IF NOT EXISTS task_cache (
            tenant_id TEXT NOT NULL, key TEXT NOT NULL, result TEXT NOT NULL, workflow_id TEXT NOT NULL, task TEXT NOT NULL,
            created_at TEXT NOT NULL, PRIMARY KEY (tenant_id, key)){table};
        CREATE TABLE IF NOT EXISTS api_keys (
            id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, name TEXT NOT NULL, role TEXT NOT NULL, hash TEXT NOT NULL,
            created_at TEXT NOT NULL, revoked_at TEXT);
        CREATE TABLE IF NOT EXISTS usage (
            workflow_id TEXT NOT NULL, task TEXT NOT NULL, attempt INTEGER NOT NULL, tenant_id TEXT NOT NULL, node_id TEXT NOT NULL,
            state TEXT NOT NULL, gpus INTEGER NOT NULL, started_at TEXT NOT NULL, finished_at TEXT NOT NULL, duration_ms {big} NOT NULL,
            gpu_seconds {real} NOT NULL, PRIMARY KEY (workflow_id, task, attempt)){table};
        CREATE INDEX IF NOT EXISTS ix_usage_tenant ON usage(tenant_id, finished_at);
        """;

    /// <summary>The tables on SQLite.</summary>
    public static string Create { get; } = Tables.Replace("{big}", "INTEGER", StringComparison.Ordinal).Replace("{real}", "REAL", StringComparison.Ordinal)
        .Replace("{table}", " WITHOUT ROWID", StringComparison.Ordinal);

    /// <summary>
    /// The same tables on PostgreSQL, plus what only a cluster needs: the leader's term (the fence every engine
    /// transaction checks), the inbox through which any replica hands commands to the leader, and each node's queue
    /// of work (filled in the transaction that placed it, so a long poll on any replica finds it).
    /// </summary>
    public static string CreatePostgres { get; } = Tables.Replace("{big}", "BIGINT", StringComparison.Ordinal).Replace("{real}", "DOUBLE PRECISION", StringComparison.Ordinal)
        .Replace("{table}", string.Empty, StringComparison.Ordinal) + ClusterTables + PostgresUpgrades;

    // PostgreSQL stores are created by the statements above; one made by an older version gets its new columns here.
    private const string PostgresUpgrades = """
        ALTER TABLE tenants ADD COLUMN IF NOT EXISTS weight DOUBLE PRECISION NOT NULL DEFAULT 1;
        ALTER TABLE tenants ADD COLUMN IF NOT EXISTS budget_gpu_seconds DOUBLE PRECISION NOT NULL DEFAULT 0;
        ALTER TABLE tenants ADD COLUMN IF NOT EXISTS budget_period_seconds BIGINT NOT NULL DEFAULT 0;
        ALTER TABLE tenants ADD COLUMN IF NOT EXISTS budget_hard INTEGER NOT NULL DEFAULT 1;
        """;

    private const string ClusterTables = """
        CREATE TABLE IF NOT EXISTS cluster_leader (
            id INTEGER PRIMARY KEY CHECK (id = 1), term BIGINT NOT NULL, replica TEXT NOT NULL, since TIMESTAMPTZ NOT NULL);
        CREATE TABLE IF NOT EXISTS inbox (
            id BIGSERIAL PRIMARY KEY, kind TEXT NOT NULL, body TEXT NOT NULL, replica TEXT NOT NULL,
            taken_term BIGINT, reply TEXT, failure TEXT, status INTEGER, created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            done_at TIMESTAMPTZ);
        CREATE INDEX IF NOT EXISTS ix_inbox_open ON inbox(id) WHERE taken_term IS NULL;
        CREATE TABLE IF NOT EXISTS node_work (
            seq BIGSERIAL PRIMARY KEY, node_id TEXT NOT NULL, epoch BIGINT NOT NULL, body TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS ix_node_work_node ON node_work(node_id, seq);
        """;

    /// <summary>Version 1 had no tenancy: its workflows join the default tenant.</summary>
    public const string Migrate1To2 = """
        ALTER TABLE workflows ADD COLUMN tenant_id TEXT NOT NULL DEFAULT 'default';
        ALTER TABLE workflows ADD COLUMN submitter TEXT;
        ALTER TABLE tasks ADD COLUMN waiting TEXT;
        ALTER TABLE nodes ADD COLUMN cordoned INTEGER NOT NULL DEFAULT 0;
        """;

    /// <summary>Version 2 did not record which GPUs a running task holds (needed to adopt it after a restart).</summary>
    public const string Migrate2To3 = "ALTER TABLE tasks ADD COLUMN gpus TEXT;";

    /// <summary>Version 3 kept a node's registration epoch only in the server's memory.</summary>
    public const string Migrate3To4 = "ALTER TABLE nodes ADD COLUMN epoch INTEGER NOT NULL DEFAULT 0;";

    /// <summary>Version 4 had no fair-share weights or budgets (secrets and the task cache are new tables).</summary>
    public const string Migrate4To5 = """
        ALTER TABLE tenants ADD COLUMN weight REAL NOT NULL DEFAULT 1;
        ALTER TABLE tenants ADD COLUMN budget_gpu_seconds REAL NOT NULL DEFAULT 0;
        ALTER TABLE tenants ADD COLUMN budget_period_seconds INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE tenants ADD COLUMN budget_hard INTEGER NOT NULL DEFAULT 1;
        """;
}
