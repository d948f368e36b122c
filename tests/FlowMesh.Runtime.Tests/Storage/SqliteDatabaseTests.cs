using FlowMesh.Runtime.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace FlowMesh.Runtime.Tests.Storage;

/// <summary>The database file itself: what survives a process that never closed it, file modes, and bad settings.</summary>
[Trait("Category", "Unit")]
public sealed class SqliteDatabaseTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task AppendAsync_ProcessDurabilityNeverDisposed_CompletedAppendsAreInTheFilesAsTheyStand()
    {
        var path = _dir.File("crash.db");
        var first = SqliteDatabase.Open(path, SqliteDurability.Process);
        var store = new SqliteWorkflowEventStore(first);
        for (var batch = 0; batch < 10; batch++)
        {
            await store.AppendAsync(
                [.. Enumerable.Range(1, 10).Select(i => SqliteWorkflowEventStoreTests.Event("wf", (batch * 10) + i))],
                CancellationToken.None);
        }

        // What a kill -9 at this instant leaves: the files' bytes as the kernel holds them, with no close, no checkpoint
        // and no shared-memory index (SQLite rebuilds it from the WAL). The copies are taken while the first instance is
        // still open and never disposed.
        var crashed = Directory.CreateDirectory(_dir.File("after-crash")).FullName;
        var copy = Path.Combine(crashed, "crash.db");
        File.Copy(path, copy);
        if (File.Exists(path + "-wal"))
        {
            File.Copy(path + "-wal", copy + "-wal");
        }

        using var second = SqliteDatabase.Open(copy, SqliteDurability.Process);
        var read = await new SqliteWorkflowEventStore(second).ReadAsync("wf", 0, 1000, CancellationToken.None);
        using var sameFile = SqliteDatabase.Open(path, SqliteDurability.Process);
        var readLive = await new SqliteWorkflowEventStore(sameFile).ReadAsync("wf", 0, 1000, CancellationToken.None);

        Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), read.Select(e => e.Seq));
        Assert.Equal(100, readLive.Count);
        GC.KeepAlive(first);
    }

    [Fact]
    public async Task WriteAsync_ConcurrentWrites_ShareCommitsAndEachCompletesAfterItsCommit()
    {
        using var database = SqliteDatabase.Open(_dir.File("group.db"), SqliteDurability.Fsync);
        var store = new SqliteWorkflowEventStore(database);
        var before = database.CommitCount;

        var appends = Enumerable.Range(0, 200).Select(i => store.AppendAsync([SqliteWorkflowEventStoreTests.Event($"wf-{i}", 1)], CancellationToken.None)).ToList();
        var committedAtCompletion = await Task.WhenAll(appends.Select(async a =>
        {
            await a;
            return database.CommitCount;
        }));

        Assert.All(committedAtCompletion, c => Assert.True(c > before));
        Assert.InRange(database.CommitCount - before, 1, 20);
    }

    [Fact]
    public void Open_NewFileInMissingDirectory_FileAndDirectoryAreOwnerOnly()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var directory = _dir.File("private");
        var path = Path.Combine(directory, "state.db");

        using (SqliteDatabase.Open(path, SqliteDurability.Fsync))
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path + "-wal"));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(directory));
        }
    }

    [Fact]
    public void Open_EmptyPath_ThrowsConfigurationExceptionNamingTheSetting()
    {
        var ex = Assert.Throws<SqliteStorageConfigurationException>(() => SqliteDatabase.Open(" ", SqliteDurability.Fsync));

        Assert.Contains(nameof(SqliteStorageOptions.DatabasePath), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_PathIsADirectory_ThrowsConfigurationException()
    {
        var ex = Assert.Throws<SqliteStorageConfigurationException>(() => SqliteDatabase.Open(_dir.Path, SqliteDurability.Fsync));

        Assert.Contains("is a directory", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_DirectoryCannotBeCreated_ThrowsConfigurationException()
    {
        var blocker = _dir.File("not-a-directory");
        File.WriteAllText(blocker, "x");

        var ex = Assert.Throws<SqliteStorageConfigurationException>(
            () => SqliteDatabase.Open(Path.Combine(blocker, "sub", "state.db"), SqliteDurability.Fsync));

        Assert.Contains("cannot create the directory", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_SameFileTwiceInOneRegistry_SharesOneDatabaseAndRefusesAnotherDurability()
    {
        using var registry = new SqliteDatabaseRegistry(NullLoggerFactory.Instance);
        var path = _dir.File("shared.db");

        var a = registry.Open(new SqliteStorageOptions { DatabasePath = path, Durability = SqliteDurability.Process }, "a");
        var b = registry.Open(new SqliteStorageOptions { DatabasePath = Path.Combine(_dir.Path, ".", "shared.db"), Durability = SqliteDurability.Process }, "b");

        Assert.Same(a, b);
        Assert.Throws<SqliteStorageConfigurationException>(
            () => registry.Open(new SqliteStorageOptions { DatabasePath = path, Durability = SqliteDurability.Fsync }, "c"));
    }

    [Fact]
    public async Task Dispose_WritesQueued_CommitsThemThenRefusesNewOnes()
    {
        var path = _dir.File("close.db");
        var database = SqliteDatabase.Open(path, SqliteDurability.Process);
        var store = new SqliteWorkflowEventStore(database);
        var queued = Enumerable.Range(1, 50).Select(i => store.AppendAsync([SqliteWorkflowEventStoreTests.Event("wf", i)], CancellationToken.None)).ToList();

        database.Dispose();

        await Task.WhenAll(queued);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.AppendAsync([SqliteWorkflowEventStoreTests.Event("wf", 51)], CancellationToken.None));
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=false");
        await connection.OpenAsync();
        await using var count = connection.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM workflow_events";
        Assert.Equal(50L, (long)(await count.ExecuteScalarAsync())!);
    }
}
