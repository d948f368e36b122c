namespace FlowMesh.Engine.Store;

/// <summary>Versioned schema; a store newer than this code is refused rather than misread, an older one is migrated.</summary>
internal static class StoreSchema
{
    public const int Version = 3;

    /// <summary>The tenant that local runs and the server's first admin belong to.</summary>
    public const string DefaultTenant = "default";

    public const string Meta = "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);";

    public const string Create = """
        CREATE TABLE IF NOT EXISTS workflows (
            id TEXT PRIMARY KEY, name TEXT NOT NULL, state TEXT NOT NULL, version INTEGER NOT NULL,
            source_file TEXT NOT NULL, format TEXT NOT NULL, owner_node TEXT, error TEXT,
            submitted_at TEXT NOT NULL, finished_at TEXT, task_count INTEGER NOT NULL,
            tenant_id TEXT NOT NULL DEFAULT 'default', submitter TEXT);
        CREATE INDEX IF NOT EXISTS ix_workflows_state ON workflows(state, submitted_at);
        CREATE INDEX IF NOT EXISTS ix_workflows_tenant ON workflows(tenant_id, submitted_at, id);
        CREATE TABLE IF NOT EXISTS tasks (
            workflow_id TEXT NOT NULL, idx INTEGER NOT NULL, name TEXT NOT NULL, task_type TEXT NOT NULL,
            state TEXT NOT NULL, version INTEGER NOT NULL, spec TEXT NOT NULL, deps TEXT NOT NULL, resources TEXT NOT NULL,
            attempt INTEGER NOT NULL, node_id TEXT, result TEXT, error TEXT, started_at TEXT, finished_at TEXT, waiting TEXT, gpus TEXT,
            PRIMARY KEY (workflow_id, idx)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS events (
            workflow_id TEXT NOT NULL, seq INTEGER NOT NULL, at TEXT NOT NULL, kind TEXT NOT NULL, task TEXT, data TEXT NOT NULL,
            PRIMARY KEY (workflow_id, seq)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS nodes (
            id TEXT PRIMARY KEY, state TEXT NOT NULL, version INTEGER NOT NULL, host TEXT NOT NULL, pid INTEGER NOT NULL,
            process_start INTEGER NOT NULL, heartbeat_at TEXT NOT NULL, capacity TEXT NOT NULL, cordoned INTEGER NOT NULL DEFAULT 0);
        CREATE TABLE IF NOT EXISTS tenants (
            id TEXT PRIMARY KEY, created_at TEXT NOT NULL, is_system INTEGER NOT NULL,
            max_running_tasks INTEGER NOT NULL, max_gpus INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS api_keys (
            id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, name TEXT NOT NULL, role TEXT NOT NULL, hash TEXT NOT NULL,
            created_at TEXT NOT NULL, revoked_at TEXT);
        CREATE TABLE IF NOT EXISTS usage (
            workflow_id TEXT NOT NULL, task TEXT NOT NULL, attempt INTEGER NOT NULL, tenant_id TEXT NOT NULL, node_id TEXT NOT NULL,
            state TEXT NOT NULL, gpus INTEGER NOT NULL, started_at TEXT NOT NULL, finished_at TEXT NOT NULL, duration_ms INTEGER NOT NULL,
            gpu_seconds REAL NOT NULL, PRIMARY KEY (workflow_id, task, attempt)) WITHOUT ROWID;
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
}
