namespace FlowMesh.Engine.Store;

/// <summary>Versioned schema; a store newer than this code is refused rather than misread.</summary>
internal static class StoreSchema
{
    public const int Version = 1;

    public const string Create = """
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS workflows (
            id TEXT PRIMARY KEY, name TEXT NOT NULL, state TEXT NOT NULL, version INTEGER NOT NULL,
            source_file TEXT NOT NULL, format TEXT NOT NULL, owner_node TEXT, error TEXT,
            submitted_at TEXT NOT NULL, finished_at TEXT, task_count INTEGER NOT NULL);
        CREATE INDEX IF NOT EXISTS ix_workflows_state ON workflows(state, submitted_at);
        CREATE TABLE IF NOT EXISTS tasks (
            workflow_id TEXT NOT NULL, idx INTEGER NOT NULL, name TEXT NOT NULL, task_type TEXT NOT NULL,
            state TEXT NOT NULL, version INTEGER NOT NULL, spec TEXT NOT NULL, deps TEXT NOT NULL, resources TEXT NOT NULL,
            attempt INTEGER NOT NULL, node_id TEXT, result TEXT, error TEXT, started_at TEXT, finished_at TEXT,
            PRIMARY KEY (workflow_id, idx)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS events (
            workflow_id TEXT NOT NULL, seq INTEGER NOT NULL, at TEXT NOT NULL, kind TEXT NOT NULL, task TEXT, data TEXT NOT NULL,
            PRIMARY KEY (workflow_id, seq)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS nodes (
            id TEXT PRIMARY KEY, state TEXT NOT NULL, version INTEGER NOT NULL, host TEXT NOT NULL, pid INTEGER NOT NULL,
            process_start INTEGER NOT NULL, heartbeat_at TEXT NOT NULL, capacity TEXT NOT NULL);
        """;
}
