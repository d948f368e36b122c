using Microsoft.Data.Sqlite;

namespace FlowMesh.Runtime.Storage;

/// <summary>
/// Orleans' reminder table in the embedded SQLite file, so an embedded silo's reminders survive its restart. Upserts and
/// removals ride the database's group-commit writer beside grain state and event appends; a removal is one DELETE that
/// matches the ETag too, so a row replaced since the caller read it stays.
/// </summary>
/// <remarks>
/// A row keeps the grain's uniform hash so the reminder service's reads of its ring range use an index instead of
/// parsing every grain id. Start times are UTC ticks and periods are ticks.
/// </remarks>
internal sealed class SqliteReminderTable(SqliteDatabase database) : IReminderTable
{
    private const string Columns = "grain_id, reminder_name, start_at, period, etag";
    private const string SelectByGrainSql = $"SELECT {Columns} FROM reminders WHERE grain_id = $grain";
    private const string SelectRowSql = $"SELECT {Columns} FROM reminders WHERE grain_id = $grain AND reminder_name = $name";

    // The ring range (begin, end]; when begin >= end it wraps past the top of the hash space (begin == end is the whole ring).
    private const string SelectRangeSql = $"SELECT {Columns} FROM reminders WHERE grain_hash > $begin AND grain_hash <= $end";
    private const string SelectWrappedRangeSql = $"SELECT {Columns} FROM reminders WHERE grain_hash > $begin OR grain_hash <= $end";
    private const string UpsertSql = """
        INSERT INTO reminders(grain_id, reminder_name, grain_hash, start_at, period, etag) VALUES ($grain, $name, $hash, $start, $period, $etag)
        ON CONFLICT(grain_id, reminder_name) DO UPDATE SET
            grain_hash = excluded.grain_hash, start_at = excluded.start_at, period = excluded.period, etag = excluded.etag
        """;
    private const string DeleteSql = "DELETE FROM reminders WHERE grain_id = $grain AND reminder_name = $name AND etag = $etag";
    private const string ClearSql = "DELETE FROM reminders";

    // The database opens with its tables before this is created: there is nothing left to initialize.
    public Task Init() => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<ReminderTableData> ReadRows(GrainId grainId) => ReadRows(grainId, CancellationToken.None);

    public Task<ReminderTableData> ReadRows(GrainId grainId, CancellationToken cancellationToken)
    {
        var grain = Key(grainId);
        return ReadManyAsync(SelectByGrainSql, command => command.Parameters.AddWithValue("$grain", grain), cancellationToken);
    }

    public Task<ReminderTableData> ReadRows(uint begin, uint end) => ReadRows(begin, end, CancellationToken.None);

    public Task<ReminderTableData> ReadRows(uint begin, uint end, CancellationToken cancellationToken) =>
        ReadManyAsync(
            begin < end ? SelectRangeSql : SelectWrappedRangeSql,
            command =>
            {
                command.Parameters.AddWithValue("$begin", (long)begin);
                command.Parameters.AddWithValue("$end", (long)end);
            },
            cancellationToken);

    public Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName) => ReadRow(grainId, reminderName, CancellationToken.None);

    /// <summary>The entry, or null when the grain has no reminder of that name (what the reminder service expects).</summary>
    public Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName, CancellationToken cancellationToken)
    {
        var grain = Key(grainId);
        ArgumentNullException.ThrowIfNull(reminderName);
        return database.ReadAsync(
            async (connection, ct) =>
            {
                using var command = connection.CreateCommand();
                command.CommandText = SelectRowSql;
                command.Parameters.AddWithValue("$grain", grain);
                command.Parameters.AddWithValue("$name", reminderName);
                using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                return await reader.ReadAsync(ct).ConfigureAwait(false) ? ToEntry(reader) : null;
            },
            cancellationToken);
    }

    public Task<string?> UpsertRow(ReminderEntry entry) => UpsertRow(entry, CancellationToken.None);

    /// <summary>Inserts or replaces the row and returns its new ETag (never null: with one writer there is no race to lose).</summary>
    public async Task<string?> UpsertRow(ReminderEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentException.ThrowIfNullOrEmpty(entry.ReminderName, nameof(entry));

        // Everything computed here, on the caller's turn: the writer thread only runs SQL.
        var grain = Key(entry.GrainId);
        var name = entry.ReminderName;
        var hash = (long)entry.GrainId.GetUniformHashCode();
        var start = ToUtcTicks(entry.StartAt);
        var period = entry.Period.Ticks;
        var etag = Guid.NewGuid().ToString("N");
        await database.WriteAsync(
            context =>
            {
                var upsert = context.Command(UpsertSql);
                upsert.Parameters.AddWithValue("$grain", grain);
                upsert.Parameters.AddWithValue("$name", name);
                upsert.Parameters.AddWithValue("$hash", hash);
                upsert.Parameters.AddWithValue("$start", start);
                upsert.Parameters.AddWithValue("$period", period);
                upsert.Parameters.AddWithValue("$etag", etag);
                upsert.ExecuteNonQuery();
            },
            cancellationToken).ConfigureAwait(false);
        return etag;
    }

    public Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag) =>
        RemoveRow(grainId, reminderName, eTag, CancellationToken.None);

    /// <summary>
    /// Deletes the row only while it still carries <paramref name="eTag"/>: false when it is gone or was replaced since,
    /// which the reminder service tells apart by reading the row again.
    /// </summary>
    public async Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag, CancellationToken cancellationToken)
    {
        var grain = Key(grainId);
        ArgumentNullException.ThrowIfNull(reminderName);
        if (string.IsNullOrEmpty(eTag))
        {
            return false;
        }

        var removed = false;
        await database.WriteAsync(
            context =>
            {
                var delete = context.Command(DeleteSql);
                delete.Parameters.AddWithValue("$grain", grain);
                delete.Parameters.AddWithValue("$name", reminderName);
                delete.Parameters.AddWithValue("$etag", eTag);
                removed = delete.ExecuteNonQuery() > 0;
            },
            cancellationToken).ConfigureAwait(false);

        // Set on the writer thread before the commit completed the task this awaited.
        return removed;
    }

    public Task TestOnlyClearTable() => TestOnlyClearTable(CancellationToken.None);

    public Task TestOnlyClearTable(CancellationToken cancellationToken) =>
        database.WriteAsync(context => context.Command(ClearSql).ExecuteNonQuery(), cancellationToken);

    private Task<ReminderTableData> ReadManyAsync(string sql, Action<SqliteCommand> bind, CancellationToken cancellationToken) =>
        database.ReadAsync(
            async (connection, ct) =>
            {
                using var command = connection.CreateCommand();
                command.CommandText = sql;
                bind(command);
                var entries = new List<ReminderEntry>();
                using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    entries.Add(ToEntry(reader));
                }

                return new ReminderTableData(entries);
            },
            cancellationToken);

    private static ReminderEntry ToEntry(SqliteDataReader reader) => new()
    {
        GrainId = GrainId.Parse(reader.GetString(0)),
        ReminderName = reader.GetString(1),
        StartAt = new DateTime(reader.GetInt64(2), DateTimeKind.Utc),
        Period = TimeSpan.FromTicks(reader.GetInt64(3)),
        ETag = reader.GetString(4),
    };

    private static string Key(GrainId grainId)
    {
        if (grainId.IsDefault)
        {
            throw new ArgumentException("the grain id is the default (empty) one", nameof(grainId));
        }

        return grainId.ToString();
    }

    // Orleans treats a reminder's times as UTC even when the kind is lost; only a local time needs converting.
    private static long ToUtcTicks(DateTime time) =>
        (time.Kind == DateTimeKind.Local ? time.ToUniversalTime() : time).Ticks;
}
