using FlowMesh.Abstractions;

namespace FlowMesh.Runtime.Storage;

/// <summary>
/// The workflow event log in the embedded SQLite file. Appends ride the database's group-commit writer, so a grain that
/// appends events and writes its state at the same moment pays for one commit. Times are stored as UTC ticks: what
/// comes back is the same instant at offset zero.
/// </summary>
internal sealed class SqliteWorkflowEventStore(SqliteDatabase database) : IWorkflowEventStore
{
    private const string InsertSql = """
        INSERT OR IGNORE INTO workflow_events(workflow_id, seq, at, kind, task, data) VALUES ($workflow, $seq, $at, $kind, $task, $data)
        """;
    private const string SelectSql = """
        SELECT seq, at, kind, task, data FROM workflow_events WHERE workflow_id = $workflow AND seq > $after ORDER BY seq LIMIT $max
        """;

    public Task AppendAsync(IReadOnlyList<WorkflowEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            return Task.CompletedTask;
        }

        // A copy, checked here: the writer thread applies it later, and a bad entry would fail the whole batch's commit.
        var copy = new WorkflowEvent[events.Count];
        for (var i = 0; i < copy.Length; i++)
        {
            var entry = events[i] ?? throw new ArgumentException($"entry {i} is null", nameof(events));
            ArgumentException.ThrowIfNullOrEmpty(entry.WorkflowId, nameof(events));
            ArgumentNullException.ThrowIfNull(entry.Kind, nameof(events));
            ArgumentNullException.ThrowIfNull(entry.Data, nameof(events));
            copy[i] = entry;
        }

        return database.WriteAsync(
            context =>
            {
                foreach (var entry in copy)
                {
                    var insert = context.Command(InsertSql);
                    insert.Parameters.AddWithValue("$workflow", entry.WorkflowId);
                    insert.Parameters.AddWithValue("$seq", entry.Seq);
                    insert.Parameters.AddWithValue("$at", entry.At.UtcTicks);
                    insert.Parameters.AddWithValue("$kind", entry.Kind);
                    insert.Parameters.AddWithValue("$task", (object?)entry.Task ?? DBNull.Value);
                    insert.Parameters.AddWithValue("$data", entry.Data);
                    insert.ExecuteNonQuery();
                }
            },
            cancellationToken);
    }

    public Task<IReadOnlyList<WorkflowEvent>> ReadAsync(string workflowId, long afterSeq, int max, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(workflowId);
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        if (max == 0)
        {
            return Task.FromResult<IReadOnlyList<WorkflowEvent>>([]);
        }

        return database.ReadAsync<IReadOnlyList<WorkflowEvent>>(
            async (connection, ct) =>
            {
                using var command = connection.CreateCommand();
                command.CommandText = SelectSql;
                command.Parameters.AddWithValue("$workflow", workflowId);
                command.Parameters.AddWithValue("$after", afterSeq);
                command.Parameters.AddWithValue("$max", max);
                var entries = new List<WorkflowEvent>(Math.Min(max, 256));
                using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    entries.Add(new WorkflowEvent(
                        workflowId,
                        reader.GetInt64(0),
                        new DateTimeOffset(reader.GetInt64(1), TimeSpan.Zero),
                        reader.GetString(2),
                        reader.IsDBNull(3) ? null : reader.GetString(3),
                        reader.GetString(4)));
                }

                return entries;
            },
            cancellationToken);
    }
}
