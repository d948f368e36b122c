using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace FlowMesh.Runtime.Storage;

/// <summary>
/// Orleans grain storage over the embedded SQLite file: one row per (grain type, grain key, state name) holding the
/// serialized state and an ETag. Writes go through the database's group-commit writer, where the ETag check and the
/// write run in the same transaction as every other write, so the check cannot race another writer.
/// </summary>
internal sealed partial class SqliteGrainStorage(
    string name,
    SqliteDatabase database,
    IGrainStorageSerializer serializer,
    ILogger<SqliteGrainStorage> logger) : IGrainStorage
{
    private const string SelectSql = "SELECT etag, data FROM grain_state WHERE grain_type = $type AND grain_id = $id AND state_name = $state";
    private const string SelectETagSql = "SELECT etag FROM grain_state WHERE grain_type = $type AND grain_id = $id AND state_name = $state";
    private const string UpsertSql = """
        INSERT INTO grain_state(grain_type, grain_id, state_name, etag, data) VALUES ($type, $id, $state, $etag, $data)
        ON CONFLICT(grain_type, grain_id, state_name) DO UPDATE SET etag = excluded.etag, data = excluded.data
        """;
    private const string DeleteSql = "DELETE FROM grain_state WHERE grain_type = $type AND grain_id = $id AND state_name = $state";

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ReadStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var type = grainId.Type.ToString()!;
        var id = grainId.Key.ToString()!;
        (string ETag, byte[] Data)? row;
        try
        {
            row = await database.ReadAsync(
                async (connection, ct) =>
                {
                    using var command = connection.CreateCommand();
                    command.CommandText = SelectSql;
                    AddKey(command, type, id, stateName);
                    using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                    return await reader.ReadAsync(ct).ConfigureAwait(false)
                        ? ((string ETag, byte[] Data)?)(reader.GetString(0), (byte[])reader.GetValue(1))
                        : null;
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException ex)
        {
            LogReadFailed(logger, ex, name, grainId, stateName);
            throw;
        }

        if (row is not { } found)
        {
            // No record: the state stays the default the runtime created; the next write must carry no ETag.
            grainState.ETag = null;
            grainState.RecordExists = false;
            return;
        }

        grainState.State = serializer.Deserialize<T>(new BinaryData(found.Data));
        grainState.ETag = found.ETag;
        grainState.RecordExists = true;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        WriteStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var type = grainId.Type.ToString()!;
        var id = grainId.Key.ToString()!;
        var expected = NormalizeETag(grainState.ETag);

        // Serialized here, on the grain's turn, so the writer thread only does SQL and never reads a state the grain
        // may change after this call returns.
        var data = serializer.Serialize(grainState.State).ToArray();
        var etag = NewETag();
        await database.WriteAsync(
            context =>
            {
                CheckETag(context, type, id, stateName, expected, grainId, nameof(WriteStateAsync));
                var upsert = context.Command(UpsertSql);
                AddKey(upsert, type, id, stateName);
                upsert.Parameters.AddWithValue("$etag", etag);
                upsert.Parameters.AddWithValue("$data", data);
                upsert.ExecuteNonQuery();
            },
            cancellationToken).ConfigureAwait(false);

        grainState.ETag = etag;
        grainState.RecordExists = true;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ClearStateAsync(stateName, grainId, grainState, CancellationToken.None);

    /// <summary>
    /// Deletes the record (ETag-checked like a write). The next write then carries no ETag; a stale holder of the old
    /// one conflicts, because ETags are random and never reused.
    /// </summary>
    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var type = grainId.Type.ToString()!;
        var id = grainId.Key.ToString()!;
        var expected = NormalizeETag(grainState.ETag);
        await database.WriteAsync(
            context =>
            {
                CheckETag(context, type, id, stateName, expected, grainId, nameof(ClearStateAsync));
                var delete = context.Command(DeleteSql);
                AddKey(delete, type, id, stateName);
                delete.ExecuteNonQuery();
            },
            cancellationToken).ConfigureAwait(false);

        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    // Runs on the writer thread inside the batch's transaction: nothing can write the row between the check and the write.
    private void CheckETag(SqliteWriteContext context, string type, string id, string stateName, string? expected, GrainId grainId, string operation)
    {
        var select = context.Command(SelectETagSql);
        AddKey(select, type, id, stateName);
        var stored = select.ExecuteScalar() as string;
        if (!string.Equals(stored, expected, StringComparison.Ordinal))
        {
            throw new InconsistentStateException(
                $"Version conflict ({operation}): provider {name}, grain {grainId}, state {stateName}: the write carries ETag '{expected}' but the stored one is '{stored}'",
                stored ?? string.Empty,
                expected ?? string.Empty);
        }
    }

    private static void AddKey(SqliteCommand command, string type, string id, string stateName)
    {
        command.Parameters.AddWithValue("$type", type);
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$state", stateName);
    }

    private static string? NormalizeETag(string? etag) => string.IsNullOrEmpty(etag) ? null : etag;

    private static string NewETag() => Guid.NewGuid().ToString("N");

    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "SQLite storage {Provider} failed to read state {StateName} of grain {GrainId}")]
    private static partial void LogReadFailed(ILogger logger, Exception exception, string provider, GrainId grainId, string stateName);
}
