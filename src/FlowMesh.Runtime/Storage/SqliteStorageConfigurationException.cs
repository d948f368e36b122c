namespace FlowMesh.Runtime.Storage;

/// <summary>
/// The embedded SQLite storage is configured so that it cannot open its database file. Its own type (Orleans'
/// configuration exception is sealed) so hosts can tell a bad setting from a failing disk.
/// </summary>
internal sealed class SqliteStorageConfigurationException : Exception
{
    public SqliteStorageConfigurationException(string message)
        : base(message)
    {
    }

    public SqliteStorageConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
