using System.Globalization;
using Microsoft.Data.Sqlite;

namespace FlowMesh.Engine.Store;

/// <summary>
/// The embedded store: one SQLite file in WAL mode with full fsync on commit, so a transaction that returned is on disk
/// and survives kill -9. All writes go through <see cref="StoreTransaction"/>; every state change is version-checked.
/// </summary>
public sealed class SqliteStore : IDisposable
{
    private readonly SqliteConnection _connection;

    private SqliteStore(SqliteConnection connection, string path)
    {
        _connection = connection;
        DatabasePath = path;
    }

    public string DatabasePath { get; }

    public static SqliteStore Open(string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        var path = Path.Combine(dataDirectory, "flowmesh.db");
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = 30,
        }.ToString());
        connection.Open();
        Execute(connection, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000; PRAGMA foreign_keys=ON;");
        using (var tx = connection.BeginTransaction())
        {
            Execute(connection, StoreSchema.Create, tx);
            using var cmd = connection.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = "SELECT value FROM meta WHERE key = 'schema_version'";
            var existing = cmd.ExecuteScalar() as string;
            if (existing is null)
            {
                cmd.CommandText = $"INSERT INTO meta(key, value) VALUES ('schema_version', '{StoreSchema.Version}')";
                cmd.ExecuteNonQuery();
            }
            else if (int.Parse(existing, CultureInfo.InvariantCulture) > StoreSchema.Version)
            {
                connection.Dispose();
                throw new InvalidOperationException(
                    $"the store at {path} has schema version {existing}, newer than this flowmesh understands ({StoreSchema.Version}); upgrade flowmesh");
            }

            tx.Commit();
        }

        return new SqliteStore(connection, path);
    }

    public StoreTransaction Begin() => new(_connection, _connection.BeginTransaction(deferred: false));

    public WorkflowRow? GetWorkflow(string id)
    {
        using var cmd = Command("SELECT id, name, state, version, source_file, format, owner_node, error, submitted_at, finished_at, task_count FROM workflows WHERE id = $id");
        cmd.Parameters.AddWithValue("$id", id);
        using var r = cmd.ExecuteReader();
        return r.Read() ? ReadWorkflow(r) : null;
    }

    public IReadOnlyList<WorkflowRow> ListWorkflows(int limit)
    {
        using var cmd = Command("SELECT id, name, state, version, source_file, format, owner_node, error, submitted_at, finished_at, task_count FROM workflows ORDER BY submitted_at DESC LIMIT $limit");
        cmd.Parameters.AddWithValue("$limit", limit);
        using var r = cmd.ExecuteReader();
        var list = new List<WorkflowRow>();
        while (r.Read())
        {
            list.Add(ReadWorkflow(r));
        }

        return list;
    }

    public IReadOnlyList<TaskRow> GetTasks(string workflowId)
    {
        using var cmd = Command("SELECT workflow_id, idx, name, task_type, state, version, spec, deps, resources, attempt, node_id, result, error, started_at, finished_at FROM tasks WHERE workflow_id = $wf ORDER BY idx");
        cmd.Parameters.AddWithValue("$wf", workflowId);
        using var r = cmd.ExecuteReader();
        var list = new List<TaskRow>();
        while (r.Read())
        {
            list.Add(new TaskRow(r.GetString(0), r.GetInt32(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetInt64(5), r.GetString(6), r.GetString(7),
                r.GetString(8), r.GetInt32(9), Str(r, 10), Str(r, 11), Str(r, 12), Time(r, 13), Time(r, 14)));
        }

        return list;
    }

    public string? GetTaskResult(string workflowId, int index)
    {
        using var cmd = Command("SELECT result FROM tasks WHERE workflow_id = $wf AND idx = $idx");
        cmd.Parameters.AddWithValue("$wf", workflowId);
        cmd.Parameters.AddWithValue("$idx", index);
        return cmd.ExecuteScalar() as string;
    }

    public IReadOnlyList<EventRow> GetEvents(string workflowId, long afterSeq, int limit)
    {
        using var cmd = Command("SELECT workflow_id, seq, at, kind, task, data FROM events WHERE workflow_id = $wf AND seq > $after ORDER BY seq LIMIT $limit");
        cmd.Parameters.AddWithValue("$wf", workflowId);
        cmd.Parameters.AddWithValue("$after", afterSeq);
        cmd.Parameters.AddWithValue("$limit", limit);
        using var r = cmd.ExecuteReader();
        var list = new List<EventRow>();
        while (r.Read())
        {
            list.Add(new EventRow(r.GetString(0), r.GetInt64(1), Time(r, 2)!.Value, r.GetString(3), Str(r, 4), r.GetString(5)));
        }

        return list;
    }

    public long LastEventSeq(string workflowId)
    {
        using var cmd = Command("SELECT COALESCE(MAX(seq), 0) FROM events WHERE workflow_id = $wf");
        cmd.Parameters.AddWithValue("$wf", workflowId);
        return (long)cmd.ExecuteScalar()!;
    }

    public NodeRow? GetNode(string id)
    {
        using var cmd = Command("SELECT id, state, version, host, pid, process_start, heartbeat_at, capacity FROM nodes WHERE id = $id");
        cmd.Parameters.AddWithValue("$id", id);
        using var r = cmd.ExecuteReader();
        return r.Read()
            ? new NodeRow(r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetString(3), r.GetInt32(4), r.GetInt64(5), Time(r, 6)!.Value, r.GetString(7))
            : null;
    }

    public void Dispose() => _connection.Dispose();

    internal static string? Str(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    internal static DateTimeOffset? Time(SqliteDataReader r, int i) =>
        r.IsDBNull(i) ? null : DateTimeOffset.Parse(r.GetString(i), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    private static WorkflowRow ReadWorkflow(SqliteDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3), r.GetString(4), r.GetString(5), Str(r, 6), Str(r, 7),
            Time(r, 8)!.Value, Time(r, 9), r.GetInt32(10));

    private SqliteCommand Command(string sql)
    {
        var cmd = _connection.CreateCommand();
        cmd.CommandText = sql;
        return cmd;
    }

    private static void Execute(SqliteConnection connection, string sql, SqliteTransaction? tx = null)
    {
        using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
