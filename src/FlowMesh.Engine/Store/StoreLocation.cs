using Npgsql;

namespace FlowMesh.Engine.Store;

/// <summary>Where the store lives: a data directory (SQLite) or a PostgreSQL connection string.</summary>
public sealed record StoreLocation(StoreBackend Backend, string Target)
{
    /// <summary>The environment variable a server reads when <c>--store</c> is not given.</summary>
    public const string EnvironmentVariable = "FLOWMESH_STORE";

    /// <summary>What a SQLite commit survives (<see cref="CommitDurability.Fsync"/> by default). PostgreSQL keeps its own settings.</summary>
    public CommitDurability Durability { get; init; } = CommitDurability.Fsync;

    public static StoreLocation Sqlite(string dataDirectory) => new(StoreBackend.Sqlite, dataDirectory);

    public static StoreLocation Postgres(string connectionString) => new(StoreBackend.Postgres, connectionString);

    /// <summary>
    /// A connection string (<c>Host=…;Database=…</c>) selects PostgreSQL; anything else, or nothing, the SQLite file in
    /// <paramref name="dataDirectory"/>. A malformed connection string is an error that names what is wrong.
    /// </summary>
    public static StoreLocation Resolve(string? store, string dataDirectory)
    {
        if (string.IsNullOrWhiteSpace(store) || store.Equals("sqlite", StringComparison.OrdinalIgnoreCase))
        {
            return Sqlite(dataDirectory);
        }

        if (!store.Contains('=', StringComparison.Ordinal))
        {
            throw new ArgumentException($"--store: '{store}' is not a PostgreSQL connection string (Host=…;Database=…;Username=…;Password=…) or 'sqlite'");
        }

        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(store);
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"--store: {ex.Message}", ex);
        }

        if (string.IsNullOrEmpty(builder.Host))
        {
            throw new ArgumentException("--store: the PostgreSQL connection string names no Host");
        }

        return Postgres(store);
    }

    /// <summary>For messages: the file, or host, port and database without the password.</summary>
    public string Display
    {
        get
        {
            if (Backend == StoreBackend.Sqlite)
            {
                return Path.Combine(Target, "flowmesh.db");
            }

            var b = new NpgsqlConnectionStringBuilder(Target);
            return $"postgresql://{b.Host}:{b.Port}/{b.Database}";
        }
    }

    public override string ToString() => Display;
}
