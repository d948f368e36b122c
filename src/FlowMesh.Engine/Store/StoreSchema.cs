namespace FlowMesh.Engine.Store;

/// <summary>
/// Versioned schema, one per backend with the same tables and meaning; a store newer than this code is refused rather
/// than misread, an older one is migrated in place at start-up.
/// </summary>
internal static class StoreSchema
{
    public const int Version = 4;

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
        CREATE INDEX IF NOT EXISTS ix_workflows_finished ON workflows(finished_at) WHERE finished_at IS NOT NULL;
        CREATE TABLE IF NOT EXISTS tasks (
            workflow_id TEXT NOT NULL, idx INTEGER NOT NULL, name TEXT NOT NULL, task_type TEXT NOT NULL,
            state TEXT NOT NULL, version INTEGER NOT NULL, spec TEXT NOT NULL, deps TEXT NOT NULL, resources TEXT NOT NULL,
            attempt INTEGER NOT NULL, node_id TEXT, result TEXT, error TEXT, started_at TEXT, finished_at TEXT, waiting TEXT, gpus TEXT,
            PRIMARY KEY (workflow_id, idx)) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS ix_tasks_running ON tasks(node_id) WHERE state = 'Running';
        CREATE TABLE IF NOT EXISTS events (
            workflow_id TEXT NOT NULL, seq INTEGER NOT NULL, at TEXT NOT NULL, kind TEXT NOT NULL, task TEXT, data TEXT NOT NULL,
            PRIMARY KEY (workflow_id, seq)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS nodes (
            id TEXT PRIMARY KEY, state TEXT NOT NULL, version INTEGER NOT NULL, host TEXT NOT NULL, pid INTEGER NOT NULL,
            process_start INTEGER NOT NULL, heartbeat_at TEXT NOT NULL, capacity TEXT NOT NULL, cordoned INTEGER NOT NULL DEFAULT 0,
            epoch INTEGER NOT NULL DEFAULT 0);
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
        CREATE INDEX IF NOT EXISTS ix_usage_tenant ON usage(tenant_id, finished_at);
        """;

    /// <summary>
    /// The same tables on PostgreSQL, plus what only a cluster needs: the leader's term (the fence every engine
    /// transaction checks), the inbox through which any replica hands commands to the leader, and each node's queue
    /// of work (filled in the transaction that placed it, so a long poll on any replica finds it).
    /// </summary>
    public const string CreatePostgres = """
        CREATE TABLE IF NOT EXISTS workflows (
            id TEXT PRIMARY KEY, name TEXT NOT NULL, state TEXT NOT NULL, version BIGINT NOT NULL,
            source_file TEXT NOT NULL, format TEXT NOT NULL, owner_node TEXT, error TEXT,
            submitted_at TEXT NOT NULL, finished_at TEXT, task_count INTEGER NOT NULL,
            tenant_id TEXT NOT NULL DEFAULT 'default', submitter TEXT);
        CREATE INDEX IF NOT EXISTS ix_workflows_state ON workflows(state, submitted_at);
        CREATE INDEX IF NOT EXISTS ix_workflows_tenant ON workflows(tenant_id, submitted_at, id);
        CREATE INDEX IF NOT EXISTS ix_workflows_finished ON workflows(finished_at) WHERE finished_at IS NOT NULL;
        CREATE TABLE IF NOT EXISTS tasks (
            workflow_id TEXT NOT NULL, idx INTEGER NOT NULL, name TEXT NOT NULL, task_type TEXT NOT NULL,
            state TEXT NOT NULL, version BIGINT NOT NULL, spec TEXT NOT NULL, deps TEXT NOT NULL, resources TEXT NOT NULL,
            attempt INTEGER NOT NULL, node_id TEXT, result TEXT, error TEXT, started_at TEXT, finished_at TEXT, waiting TEXT, gpus TEXT,
            PRIMARY KEY (workflow_id, idx));
        CREATE INDEX IF NOT EXISTS ix_tasks_running ON tasks(node_id) WHERE state = 'Running';
        CREATE TABLE IF NOT EXISTS events (
            workflow_id TEXT NOT NULL, seq BIGINT NOT NULL, at TEXT NOT NULL, kind TEXT NOT NULL, task TEXT, data TEXT NOT NULL,
            PRIMARY KEY (workflow_id, seq));
        CREATE TABLE IF NOT EXISTS nodes (
            id TEXT PRIMARY KEY, state TEXT NOT NULL, version BIGINT NOT NULL, host TEXT NOT NULL, pid INTEGER NOT NULL,
            process_start BIGINT NOT NULL, heartbeat_at TEXT NOT NULL, capacity TEXT NOT NULL, cordoned INTEGER NOT NULL DEFAULT 0,
            epoch BIGINT NOT NULL DEFAULT 0);
        CREATE TABLE IF NOT EXISTS tenants (
            id TEXT PRIMARY KEY, created_at TEXT NOT NULL, is_system INTEGER NOT NULL,
            max_running_tasks INTEGER NOT NULL, max_gpus INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS api_keys (
            id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, name TEXT NOT NULL, role TEXT NOT NULL, hash TEXT NOT NULL,
            created_at TEXT NOT NULL, revoked_at TEXT);
        CREATE TABLE IF NOT EXISTS usage (
            workflow_id TEXT NOT NULL, task TEXT NOT NULL, attempt INTEGER NOT NULL, tenant_id TEXT NOT NULL, node_id TEXT NOT NULL,
            state TEXT NOT NULL, gpus INTEGER NOT NULL, started_at TEXT NOT NULL, finished_at TEXT NOT NULL, duration_ms BIGINT NOT NULL,
            gpu_seconds DOUBLE PRECISION NOT NULL, PRIMARY KEY (workflow_id, task, attempt));
        CREATE INDEX IF NOT EXISTS ix_usage_tenant ON usage(tenant_id, finished_at);
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
}
