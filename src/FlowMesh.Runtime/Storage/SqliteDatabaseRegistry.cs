using Microsoft.Extensions.Logging;

namespace FlowMesh.Runtime.Storage;

/// <summary>
/// One <see cref="SqliteDatabase"/> per file in a silo: the grain storage providers and the event store that name the
/// same file share its writer, so their concurrent writes commit together and never contend for SQLite's write lock.
/// The container disposes it with the host, after the silo stopped, so no grain writes into a closed file.
/// </summary>
internal sealed class SqliteDatabaseRegistry(ILoggerFactory loggerFactory) : IDisposable
{
    private readonly Dictionary<string, SqliteDatabase> _databases = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private bool _disposed;

    /// <summary>The open database of <paramref name="options"/>' file, opening it on first use.</summary>
    public SqliteDatabase Open(SqliteStorageOptions options, string name)
    {
        ArgumentNullException.ThrowIfNull(options);
        var fullPath = options.ValidateAndPrepare(name);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_databases.TryGetValue(fullPath, out var open))
            {
                if (open.Durability != options.Durability)
                {
                    throw new SqliteStorageConfigurationException(
                        $"SQLite storage '{name}' asks for durability {options.Durability} on '{fullPath}', which another provider opened with {open.Durability}; one file has one durability");
                }

                return open;
            }

            var database = SqliteDatabase.Open(fullPath, options.Durability, loggerFactory.CreateLogger<SqliteDatabase>(), name);
            _databases.Add(fullPath, database);
            return database;
        }
    }

    public void Dispose()
    {
        SqliteDatabase[] databases;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            databases = [.. _databases.Values];
            _databases.Clear();
        }

        foreach (var database in databases)
        {
            database.Dispose();
        }
    }
}
