using Orleans.Storage;

namespace FlowMesh.Runtime.Storage;

/// <summary>Where the embedded SQLite storage keeps its one database file, and what its commits survive.</summary>
internal sealed class SqliteStorageOptions : IStorageProviderSerializerOptions
{
    /// <summary>The database file; its directory is created (mode 0700) when missing.</summary>
    public string? DatabasePath { get; set; }

    /// <summary>What a commit survives before its write completes: fsynced, or handed to the kernel.</summary>
    public SqliteDurability Durability { get; set; } = SqliteDurability.Fsync;

    /// <summary>
    /// The serializer of grain state. Left null, Orleans' post-configuration fills it with the
    /// <see cref="IGrainStorageSerializer"/> keyed by the provider's name, else the silo's default one.
    /// </summary>
    public IGrainStorageSerializer GrainStorageSerializer { get; set; } = null!;

    /// <summary>
    /// Checks the options and creates the file's directory, so a bad path fails the silo's start-up with a message
    /// naming the provider rather than a SQLite error at the first grain activation. Returns the file's full path.
    /// </summary>
    internal string ValidateAndPrepare(string name)
    {
        if (string.IsNullOrWhiteSpace(DatabasePath))
        {
            throw new SqliteStorageConfigurationException(
                $"SQLite storage '{name}': {nameof(DatabasePath)} is not set; give the path of the database file");
        }

        if (!Enum.IsDefined(Durability))
        {
            throw new SqliteStorageConfigurationException(
                $"SQLite storage '{name}': {nameof(Durability)} {(int)Durability} is not one of {string.Join(", ", Enum.GetNames<SqliteDurability>())}");
        }

        string fullPath;
        try
        {
            fullPath = Path.GetFullPath(DatabasePath);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new SqliteStorageConfigurationException($"SQLite storage '{name}': '{DatabasePath}' is not a valid path", ex);
        }

        if (Directory.Exists(fullPath))
        {
            throw new SqliteStorageConfigurationException(
                $"SQLite storage '{name}': '{fullPath}' is a directory; {nameof(DatabasePath)} names the database file in it");
        }

        var directory = Path.GetDirectoryName(fullPath);
        if (directory is null)
        {
            throw new SqliteStorageConfigurationException($"SQLite storage '{name}': '{fullPath}' has no directory");
        }

        try
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(directory);
            }
            else
            {
                // The mode applies only to the directories this creates: an existing one the operator chose keeps its own.
                Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SqliteStorageConfigurationException(
                $"SQLite storage '{name}': cannot create the directory '{directory}' of the database file: {ex.Message}", ex);
        }

        return fullPath;
    }
}
