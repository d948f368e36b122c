using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace FlowMesh.Engine.Store;

/// <summary>
/// The store: SQLite (embedded: one file in WAL mode with full fsync on commit, so a transaction that returned is on
/// disk and survives kill -9) or PostgreSQL (cluster mode: every replica over one database). Both have the same tables
/// and the same contract; all writes go through <see cref="StoreTransaction"/> and every state change is
/// version-checked. One instance holds one connection and is not thread-safe: each reader opens its own.
/// </summary>
public sealed partial class FlowMeshStore : IDisposable
{
    private const string Columns = "id, name, state, version, source_file, format, owner_node, error, submitted_at, finished_at, task_count, tenant_id, submitter";

    // Serialises schema migrations of replicas that start together.
    private const long MigrationLockKey = 0x466C6F774D657368;
    private readonly DbConnection _connection;
    private StoreTransaction? _active;

    private FlowMeshStore(DbConnection connection, StoreLocation location)
    {
        _connection = connection;
        Location = location;
    }

    public StoreLocation Location { get; }

    public bool IsPostgres => Location.Backend == StoreBackend.Postgres;

    /// <summary>Opens the SQLite store in <paramref name="dataDirectory"/>, creating or migrating it.</summary>
    public static FlowMeshStore Open(string dataDirectory) => Open(StoreLocation.Sqlite(dataDirectory));

    /// <summary>Opens the store, creating its tables or migrating them; refuses a schema newer than this code.</summary>
    public static FlowMeshStore Open(StoreLocation location)
    {
        ArgumentNullException.ThrowIfNull(location);
        var connection = Connect(location, pooling: location.Backend == StoreBackend.Postgres, create: true);
        try
        {
            if (connection is SqliteConnection)
            {
                var synchronous = location.Durability == CommitDurability.Process ? "NORMAL" : "FULL";
                Execute(connection, $"PRAGMA journal_mode=WAL; PRAGMA synchronous={synchronous}; PRAGMA busy_timeout=30000; PRAGMA foreign_keys=ON;");
            }

            using var tx = connection.BeginTransaction();
            if (connection is NpgsqlConnection)
            {
                Execute(connection, $"SELECT pg_advisory_xact_lock({MigrationLockKey})", tx);
            }

            Execute(connection, StoreSchema.Meta, tx);
            using var cmd = connection.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = "SELECT value FROM meta WHERE key = 'schema_version'";
            var existing = cmd.ExecuteScalar() is string text ? int.Parse(text, CultureInfo.InvariantCulture) : 0;
            if (existing > StoreSchema.Version)
            {
                throw new InvalidOperationException(
                    $"the store at {location.Display} has schema version {existing}, newer than this flowmesh understands ({StoreSchema.Version}); upgrade flowmesh");
            }

            if (connection is SqliteConnection)
            {
                MigrateSqlite(connection, tx, existing);
            }
            else
            {
                Execute(connection, StoreSchema.CreatePostgres, tx);
            }

            cmd.CommandText = $"INSERT INTO meta(key, value) VALUES ('schema_version', '{StoreSchema.Version}') ON CONFLICT(key) DO UPDATE SET value = excluded.value";
            cmd.ExecuteNonQuery();
            tx.Commit();
        }
        catch
        {
            connection.Dispose();
            throw;
        }

        return new FlowMeshStore(connection, location);
    }

    /// <summary>A pooled connection for reading (and for small writes outside the engine) on a store that exists.</summary>
    public static FlowMeshStore OpenReader(string dataDirectory) => OpenReader(StoreLocation.Sqlite(dataDirectory));

    /// <inheritdoc cref="OpenReader(string)"/>
    public static FlowMeshStore OpenReader(StoreLocation location)
    {
        ArgumentNullException.ThrowIfNull(location);
        return new FlowMeshStore(Connect(location, pooling: true, create: false), location);
    }

    public StoreTransaction Begin()
    {
        var tx = new StoreTransaction(_connection, _connection.BeginTransaction(), IsPostgres);
        _active = tx;
        tx.OnFinished = () => _active = null;
        return tx;
    }

    /// <summary>True when the store answers a query: what /readyz reports.</summary>
    public bool Ping()
    {
        using var cmd = Command("SELECT value FROM meta WHERE key = 'schema_version'");
        return cmd.ExecuteScalar() is string;
    }

    public void Dispose() => _connection.Dispose();

    /// <summary>
    /// True when nothing was committed and the same request may succeed shortly: the database is unreachable, or this
    /// replica's leadership ended under the transaction (directly or as the cause the engine's loop reports).
    /// </summary>
    public static bool IsTransient(Exception ex) =>
        IsUnavailable(ex) || ex is LeadershipLostException || ex.InnerException is LeadershipLostException;

    /// <summary>True for the errors that mean the database could not be reached or dropped the connection.</summary>
    public static bool IsUnavailable(Exception ex) =>
        ex is NpgsqlException { IsTransient: true } or NpgsqlException { InnerException: IOException or System.Net.Sockets.SocketException or TimeoutException }
        or PostgresException { SqlState: "57P01" or "57P02" or "57P03" or "08006" or "08003" or "08001" };

    /// <summary>
    /// Drops every pooled PostgreSQL connection. After the database restarted, each pooled connection is dead and would
    /// fail one request each; a replica that saw the outage calls this so the next request opens a live one.
    /// </summary>
    public static void ResetConnections() => NpgsqlConnection.ClearAllPools();

    internal static string? Str(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    internal static int I32(DbDataReader r, int i) => Convert.ToInt32(r.GetValue(i), CultureInfo.InvariantCulture);

    internal static long I64(DbDataReader r, int i) => Convert.ToInt64(r.GetValue(i), CultureInfo.InvariantCulture);

    internal static DateTimeOffset? Time(DbDataReader r, int i) =>
        r.IsDBNull(i) ? null : DateTimeOffset.Parse(r.GetString(i), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    internal DbCommand Command(string sql)
    {
        // A read inside an open transaction must see its queued writes (PostgreSQL sends them in batches).
        _active?.Flush();
        var cmd = _connection.CreateCommand();
        cmd.CommandText = sql;
        return cmd;
    }

    private static void MigrateSqlite(DbConnection connection, DbTransaction tx, int existing)
    {
        if (existing == 1)
        {
            Execute(connection, StoreSchema.Migrate1To2, tx);
        }

        if (existing is 1 or 2)
        {
            Execute(connection, StoreSchema.Migrate2To3, tx);
        }

        if (existing is 1 or 2 or 3)
        {
            Execute(connection, StoreSchema.Migrate3To4, tx);
        }

        if (existing is 1 or 2 or 3 or 4)
        {
            Execute(connection, StoreSchema.Migrate4To5, tx);
        }

        Execute(connection, StoreSchema.Create, tx);
    }

    private static DbConnection Connect(StoreLocation location, bool pooling, bool create)
    {
        if (location.Backend == StoreBackend.Postgres)
        {
            var pg = new NpgsqlConnection(location.Target);
            pg.Open();
            return pg;
        }

        if (create)
        {
            Directory.CreateDirectory(location.Target);
        }

        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(location.Target, "flowmesh.db"),
            Mode = create ? SqliteOpenMode.ReadWriteCreate : SqliteOpenMode.ReadWrite,
            Pooling = pooling,
            DefaultTimeout = 30,
        }.ToString());
        connection.Open();
        return connection;
    }

    private static WorkflowRow ReadWorkflow(DbDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), I64(r, 3), r.GetString(4), r.GetString(5), Str(r, 6), Str(r, 7),
            Time(r, 8)!.Value, Time(r, 9), I32(r, 10), r.GetString(11), Str(r, 12));

    private static void Execute(DbConnection connection, string sql, DbTransaction? tx = null)
    {
        using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
