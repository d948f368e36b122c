namespace FlowMesh.Runtime.Storage;

/// <summary>Runs <see cref="SqliteStorageOptions.ValidateAndPrepare"/> when the silo starts, before any grain.</summary>
internal sealed class SqliteStorageOptionsValidator(SqliteStorageOptions options, string name) : IConfigurationValidator
{
    public void ValidateConfiguration() => options.ValidateAndPrepare(name);
}
