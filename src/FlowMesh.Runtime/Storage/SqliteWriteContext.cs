using Microsoft.Data.Sqlite;

namespace FlowMesh.Runtime.Storage;

/// <summary>
/// What a write sees inside the writer loop's transaction. Only the writer thread touches it, so the prepared commands
/// are cached by their SQL and reused across batches instead of being compiled once per write.
/// </summary>
internal sealed class SqliteWriteContext(SqliteConnection connection) : IDisposable
{
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);
    private SqliteTransaction? _transaction;

    /// <summary>The prepared command for <paramref name="sql"/>, enlisted in the current transaction, with no parameters.</summary>
    public SqliteCommand Command(string sql)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = connection.CreateCommand();
            command.CommandText = sql;
            _commands.Add(sql, command);
        }

        command.Transaction = _transaction ?? throw new InvalidOperationException("a write runs only inside the writer's transaction");
        command.Parameters.Clear();
        return command;
    }

    internal void Enter(SqliteTransaction? transaction) => _transaction = transaction;

    public void Dispose()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }

        _commands.Clear();
    }
}
