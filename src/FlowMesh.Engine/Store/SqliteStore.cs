using System.Globalization;
using Microsoft.Data.Sqlite;

namespace FlowMesh.Engine.Store;

/// <summary>
/// The embedded store: one SQLite file in WAL mode with full fsync on commit, so a transaction that returned is on disk
/// and survives kill -9. All writes go through <see cref="StoreTransaction"/>; every state change is version-checked.
/// One instance holds one connection and is not thread-safe: each reader opens its own (see <see cref="OpenReader"/>).
/// </summary>
public sealed partial class SqliteStore : IDisposable
{
    private const string Columns = "id, name, state, version, source_file, format, owner_node, error, submitted_at, finished_at, task_count, tenant_id, submitter";
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
        var connection = Connect(path, pooling: false);
        Execute(connection, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000; PRAGMA foreign_keys=ON;");
        using (var tx = connection.BeginTransaction())
        {
            Execute(connection, StoreSchema.Meta, tx);
            using var cmd = connection.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = "SELECT value FROM meta WHERE key = 'schema_version'";
            var existing = cmd.ExecuteScalar() is string text ? int.Parse(text, CultureInfo.InvariantCulture) : 0;
            if (existing > StoreSchema.Version)
            {
                tx.Rollback();
                connection.Dispose();
                throw new InvalidOperationException(
                    $"the store at {path} has schema version {existing}, newer than this flowmesh understands ({StoreSchema.Version}); upgrade flowmesh");
            }

            if (existing == 1)
            {
                Execute(connection, StoreSchema.Migrate1To2, tx);
            }

            if (existing is 1 or 2)
            {
                Execute(connection, StoreSchema.Migrate2To3, tx);
            }

            Execute(connection, StoreSchema.Create, tx);
            cmd.CommandText = $"INSERT INTO meta(key, value) VALUES ('schema_version', '{StoreSchema.Version}') ON CONFLICT(key) DO UPDATE SET value = excluded.value";
            cmd.ExecuteNonQuery();
            tx.Commit();
        }

        return new SqliteStore(connection, path);
    }

    /// <summary>A pooled connection for reading (and for small writes outside the engine) on a store that exists.</summary>
    public static SqliteStore OpenReader(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, "flowmesh.db");
        var connection = Connect(path, pooling: true);
        return new SqliteStore(connection, path);
    }

    public StoreTransaction Begin() => new(_connection, _connection.BeginTransaction(deferred: false));

    /// <summary>True when the store answers a query: what /readyz reports.</summary>
    public bool Ping()
    {
        using var cmd = Command("SELECT value FROM meta WHERE key = 'schema_version'");
        return cmd.ExecuteScalar() is string;
    }

    public void Dispose() => _connection.Dispose();

    internal static string? Str(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    internal static DateTimeOffset? Time(SqliteDataReader r, int i) =>
        r.IsDBNull(i) ? null : DateTimeOffset.Parse(r.GetString(i), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    private static SqliteConnection Connect(string path, bool pooling)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = pooling ? SqliteOpenMode.ReadWrite : SqliteOpenMode.ReadWriteCreate,
            Pooling = pooling,
            DefaultTimeout = 30,
        }.ToString());
        connection.Open();
        return connection;
    }

    private static WorkflowRow ReadWorkflow(SqliteDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3), r.GetString(4), r.GetString(5), Str(r, 6), Str(r, 7),
            Time(r, 8)!.Value, Time(r, 9), r.GetInt32(10), r.GetString(11), Str(r, 12));

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
