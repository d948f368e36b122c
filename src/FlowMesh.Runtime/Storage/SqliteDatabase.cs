using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FlowMesh.Runtime.Storage;

/// <summary>
/// The embedded storage's one SQLite file (WAL): grain state, the workflow event log and reminders. Every write goes
/// through one writer thread that drains the queue of pending writes, applies them in one transaction and commits once, so
/// concurrent writes of many grains (state and event appends alike) share the cost of a commit; a write's task completes
/// only after the commit that holds it. Reads use their own pooled connections, which WAL lets run beside the writer.
/// </summary>
internal sealed partial class SqliteDatabase : IDisposable
{
    internal const int SchemaVersion = 1;

    // Bounds how long one transaction holds the write lock and how many callers one failed commit fails.
    private const int MaxBatch = 1024;
    private const int MaxIdleReaders = 8;

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS grain_state(
            grain_type TEXT NOT NULL,
            grain_id TEXT NOT NULL,
            state_name TEXT NOT NULL,
            etag TEXT NOT NULL,
            data BLOB NOT NULL,
            PRIMARY KEY(grain_type, grain_id, state_name));
        CREATE TABLE IF NOT EXISTS workflow_events(
            workflow_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            at INTEGER NOT NULL,
            kind TEXT NOT NULL,
            task TEXT NULL,
            data TEXT NOT NULL,
            PRIMARY KEY(workflow_id, seq)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS reminders(
            grain_id TEXT NOT NULL,
            reminder_name TEXT NOT NULL,
            grain_hash INTEGER NOT NULL,
            start_at INTEGER NOT NULL,
            period INTEGER NOT NULL,
            etag TEXT NOT NULL,
            PRIMARY KEY(grain_id, reminder_name)) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS reminders_by_hash ON reminders(grain_hash);
        """;

    private readonly Channel<SqlitePendingWrite> _pending =
        Channel.CreateUnbounded<SqlitePendingWrite>(new UnboundedChannelOptions { SingleReader = true });

    private readonly ConcurrentBag<SqliteConnection> _idleReaders = [];
    private readonly SqliteConnection _writer;
    private readonly SqliteWriteContext _context;
    private readonly Thread _writerThread;
    private readonly string _readerConnectionString;
    private readonly ILogger _logger;
    private long _commits;
    private int _disposed;

    private SqliteDatabase(string path, SqliteDurability durability, SqliteConnection writer, string readerConnectionString, ILogger logger)
    {
        Path = path;
        Durability = durability;
        _writer = writer;
        _context = new SqliteWriteContext(writer);
        _readerConnectionString = readerConnectionString;
        _logger = logger;

        // A thread of its own: each commit blocks in fsync, which on a pool thread would starve the grains' work.
        _writerThread = new Thread(RunWriter) { IsBackground = true, Name = "flowmesh-sqlite-writer" };
        _writerThread.Start();
    }

    /// <summary>The database file's full path.</summary>
    public string Path { get; }

    public SqliteDurability Durability { get; }

    /// <summary>How many transactions the writer committed: the tests' measure of group commit.</summary>
    internal long CommitCount => Interlocked.Read(ref _commits);

    private bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>
    /// Opens (creating it with mode 0600 where the OS has modes) the database at <paramref name="path"/>, switches it to
    /// WAL and creates its tables. Throws <see cref="SqliteStorageConfigurationException"/> for a path it cannot use.
    /// </summary>
    public static SqliteDatabase Open(string path, SqliteDurability durability, ILogger? logger = null, string name = "flowmesh")
    {
        var fullPath = new SqliteStorageOptions { DatabasePath = path, Durability = durability }.ValidateAndPrepare(name);
        CreatePrivateFile(fullPath);

        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = fullPath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            // Unpooled: closing this instance must close the file, and the readers are pooled here instead.
            Pooling = false,
            DefaultTimeout = 30,
        };
        var writer = new SqliteConnection(builder.ToString());
        try
        {
            writer.Open();
            var mode = Convert.ToString(Scalar(writer, "PRAGMA journal_mode=WAL"), CultureInfo.InvariantCulture);
            if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
            {
                throw new SqliteStorageConfigurationException(
                    $"SQLite storage '{name}': '{fullPath}' cannot use a write-ahead log (journal mode stays '{mode}'); put it on a local file system");
            }

            var synchronous = durability == SqliteDurability.Process ? "NORMAL" : "FULL";
            Execute(writer, $"PRAGMA synchronous={synchronous}; PRAGMA busy_timeout=30000;");
            var version = Convert.ToInt64(Scalar(writer, "PRAGMA user_version"), CultureInfo.InvariantCulture);
            if (version > SchemaVersion)
            {
                throw new SqliteStorageConfigurationException(
                    $"SQLite storage '{name}': '{fullPath}' has schema version {version}, newer than this flowmesh understands ({SchemaVersion}); upgrade flowmesh");
            }

            using (var transaction = writer.BeginTransaction())
            {
                Execute(writer, Schema, transaction);
                Execute(writer, $"PRAGMA user_version={SchemaVersion}", transaction);
                transaction.Commit();
            }
        }
        catch
        {
            writer.Dispose();
            throw;
        }

        builder.Mode = SqliteOpenMode.ReadWrite;
        logger ??= NullLogger.Instance;
        LogOpened(logger, fullPath, durability);
        return new SqliteDatabase(fullPath, durability, writer, builder.ToString(), logger);
    }

    /// <summary>
    /// Queues <paramref name="apply"/> for the next batch. The task completes after the batch's commit, or fails with
    /// what <paramref name="apply"/> threw (its own changes rolled back, the batch's others kept) or with the commit's
    /// error. Cancelling stops the wait, not the write: it may still commit.
    /// </summary>
    public Task WriteAsync(Action<SqliteWriteContext> apply, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(apply);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        var write = new SqlitePendingWrite(apply);
        if (!_pending.Writer.TryWrite(write))
        {
            return Task.FromException(new ObjectDisposedException(nameof(SqliteDatabase), $"the SQLite storage at '{Path}' is closed"));
        }

        return cancellationToken.CanBeCanceled ? write.Completion.Task.WaitAsync(cancellationToken) : write.Completion.Task;
    }

    /// <summary>Runs <paramref name="query"/> on a pooled read connection (it sees every commit made before it started).</summary>
    public async Task<T> ReadAsync<T>(Func<SqliteConnection, CancellationToken, Task<T>> query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var connection = RentReader();
        try
        {
            return await query(connection, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ReturnReader(connection);
        }
    }

    /// <summary>Commits what was queued before this call, then closes the file.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _pending.Writer.TryComplete();
        if (Thread.CurrentThread != _writerThread)
        {
            _writerThread.Join();
        }

        _context.Dispose();
        _writer.Dispose();
        DrainReaders();
    }

    private static void CreatePrivateFile(string fullPath)
    {
        if (OperatingSystem.IsWindows() || File.Exists(fullPath))
        {
            return;
        }

        // SQLite gives its -wal and -shm files the database file's mode, so creating this one 0600 covers all three.
        try
        {
            using (new FileStream(fullPath, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            }))
            {
            }
        }
        catch (IOException) when (File.Exists(fullPath))
        {
            // Another opener created it first.
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SqliteStorageConfigurationException($"SQLite storage: cannot create the database file '{fullPath}': {ex.Message}", ex);
        }
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        command.ExecuteNonQuery();
    }

    private void RunWriter()
    {
        var reader = _pending.Reader;
        var batch = new List<SqlitePendingWrite>();

        // Whatever queued while the previous commit was in fsync is the next batch: no timer, no added latency.
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            while (batch.Count < MaxBatch && reader.TryRead(out var write))
            {
                batch.Add(write);
            }

            CommitBatch(batch);
            batch.Clear();
        }
    }

    private void CommitBatch(List<SqlitePendingWrite> batch)
    {
        SqliteTransaction? transaction = null;
        try
        {
            transaction = _writer.BeginTransaction(deferred: false);
            _context.Enter(transaction);
            foreach (var write in batch)
            {
                Apply(write);
            }

            transaction.Commit();
            Interlocked.Increment(ref _commits);
        }
        catch (Exception ex)
        {
            LogBatchFailed(_logger, ex, batch.Count, Path);
            foreach (var write in batch)
            {
                write.Completion.TrySetException(ex);
            }

            return;
        }
        finally
        {
            _context.Enter(null);
            Discard(transaction);
        }

        foreach (var write in batch)
        {
            if (write.Failure is { } failure)
            {
                write.Completion.TrySetException(failure);
            }
            else
            {
                write.Completion.TrySetResult();
            }
        }
    }

    private void Apply(SqlitePendingWrite write)
    {
        // A savepoint per write: one write that fails (an ETag conflict) must not undo the others sharing the commit.
        _context.Command("SAVEPOINT one_write").ExecuteNonQuery();
        try
        {
            write.Apply(_context);
        }
        catch (Exception ex)
        {
            // When SQLite already dropped the whole transaction (disk full, I/O error) this fails and so does the batch.
            if (!TryRollbackWrite())
            {
                throw;
            }

            write.Failure = ex;
            return;
        }

        _context.Command("RELEASE one_write").ExecuteNonQuery();
    }

    private bool TryRollbackWrite()
    {
        try
        {
            _context.Command("ROLLBACK TO one_write").ExecuteNonQuery();
            _context.Command("RELEASE one_write").ExecuteNonQuery();
            return true;
        }
        catch (SqliteException)
        {
            return false;
        }
    }

    // Rolls back a transaction that did not commit (disposing a committed one does nothing). It must not throw: an
    // exception here would end the writer thread, and with it every later write.
    private static void Discard(SqliteTransaction? transaction)
    {
        try
        {
            transaction?.Dispose();
        }
        catch (Exception ex) when (ex is SqliteException or InvalidOperationException)
        {
            // SQLite already rolled it back itself: the failure that got here ended the transaction.
        }
    }

    private SqliteConnection RentReader()
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        if (_idleReaders.TryTake(out var idle))
        {
            return idle;
        }

        var connection = new SqliteConnection(_readerConnectionString);
        try
        {
            connection.Open();
            Execute(connection, "PRAGMA query_only=ON; PRAGMA busy_timeout=30000;");
        }
        catch
        {
            connection.Dispose();
            throw;
        }

        return connection;
    }

    private void ReturnReader(SqliteConnection connection)
    {
        if (IsDisposed || _idleReaders.Count >= MaxIdleReaders)
        {
            connection.Dispose();
            return;
        }

        _idleReaders.Add(connection);
        if (IsDisposed)
        {
            // Dispose drained the pool between the check and the add.
            DrainReaders();
        }
    }

    private void DrainReaders()
    {
        while (_idleReaders.TryTake(out var connection))
        {
            connection.Dispose();
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Opened the SQLite storage {Path} (durability {Durability})")]
    private static partial void LogOpened(ILogger logger, string path, SqliteDurability durability);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "A batch of {Count} writes to {Path} failed and was rolled back")]
    private static partial void LogBatchFailed(ILogger logger, Exception exception, int count, string path);
}
