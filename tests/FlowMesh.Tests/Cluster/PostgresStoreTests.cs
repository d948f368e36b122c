using FlowMesh.Engine.Store;
using FlowMesh.Tests.Support;
using Npgsql;

namespace FlowMesh.Tests.Cluster;

/// <summary>What only the PostgreSQL store has to show: start-up refusals and query plans that stay on indexes at scale.</summary>
[Trait("Category", "Integration")]
[Collection(TestPostgres.Collection)]
public sealed class PostgresStoreTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Server_OverAStoreWithANewerSchema_RefusesToStartAndSaysWhy()
    {
        if (!TestPostgres.Available(output))
        {
            return;
        }

        var connection = await TestPostgres.CreateDatabaseAsync();
        using (var store = FlowMeshStore.Open(StoreLocation.Postgres(connection)))
        using (var bump = store.Command("UPDATE meta SET value = '99' WHERE key = 'schema_version'"))
        {
            bump.ExecuteNonQuery();
        }

        using var dir = new TempDir();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ServerProcess.StartServerAsync(dir.Path, "--store", connection));
        Assert.Contains("has schema version 99, newer than this flowmesh understands", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HotQueries_WithHundredsOfThousandsOfFinishedTasks_UseIndexes()
    {
        if (!TestPostgres.Available(output))
        {
            return;
        }

        var connection = await TestPostgres.CreateDatabaseAsync();
        FlowMeshStore.Open(StoreLocation.Postgres(connection)).Dispose();
        await using var conn = new NpgsqlConnection(connection);
        await conn.OpenAsync();

        // 20,000 finished workflows of 10 tasks and 3 events each, over 50 tenants; then a few live ones.
        await ExecuteAsync(conn, """
            INSERT INTO workflows(id, name, state, version, source_file, format, submitted_at, finished_at, task_count, tenant_id)
              SELECT 'wf-' || g, 'w' || g, 'Succeeded', 3, 'w.yaml', 'FlowMeshYaml', to_char(timestamp '2026-01-01' + g * interval '1 second', 'YYYY-MM-DD"T"HH24:MI:SS.US0"Z"'),
                     to_char(timestamp '2026-01-01' + g * interval '1 second', 'YYYY-MM-DD"T"HH24:MI:SS.US0"Z"'), 10, 'tenant-' || (g % 50)
              FROM generate_series(1, 20000) g;
            INSERT INTO tasks(workflow_id, idx, name, task_type, state, version, spec, deps, resources, attempt, node_id)
              SELECT 'wf-' || g, i, 't' || i, 'echo', 'Succeeded', 4, '{}', '[]', '{}', 1, 'node-' || (g % 20) FROM generate_series(1, 20000) g, generate_series(0, 9) i;
            INSERT INTO events(workflow_id, seq, at, kind, task, data)
              SELECT 'wf-' || g, s, '2026-01-01T00:00:00.0000000Z', 'task.state', 't0', '{}' FROM generate_series(1, 20000) g, generate_series(1, 3) s;
            INSERT INTO workflows(id, name, state, version, source_file, format, submitted_at, task_count, tenant_id)
              VALUES ('wf-live', 'live', 'Running', 2, 'w.yaml', 'FlowMeshYaml', '2026-12-01T00:00:00.0000000Z', 1, 'tenant-1');
            INSERT INTO tasks(workflow_id, idx, name, task_type, state, version, spec, deps, resources, attempt, node_id)
              VALUES ('wf-live', 0, 't0', 'echo', 'Running', 3, '{}', '[]', '{}', 1, 'node-3');
            ANALYZE;
            """);

        // What a node's rejoin, a restarted leader, a tenant's list, a stream and a task page ask for.
        string[] hot =
        [
            "SELECT t.idx FROM tasks t JOIN workflows w ON w.id = t.workflow_id WHERE t.node_id = 'node-3' AND t.state = 'Running' AND w.state = 'Running'",
            "SELECT id FROM workflows WHERE state IN ('Pending', 'Running') ORDER BY submitted_at, id",
            "SELECT id FROM workflows WHERE tenant_id = 'tenant-7' ORDER BY submitted_at DESC, id DESC LIMIT 50",
            "SELECT seq FROM events WHERE workflow_id = 'wf-777' AND seq > 1 ORDER BY seq LIMIT 500",
            "SELECT idx FROM tasks WHERE workflow_id = 'wf-777' ORDER BY idx",
            "SELECT id FROM workflows WHERE finished_at IS NOT NULL AND finished_at < '2026-01-01T01:00:00' ORDER BY finished_at LIMIT 1000",
        ];
        foreach (var sql in hot)
        {
            await using var explain = new NpgsqlCommand("EXPLAIN " + sql, conn);
            var plan = new List<string>();
            await using (var reader = await explain.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    plan.Add(reader.GetString(0));
                }
            }

            var text = string.Join('\n', plan);
            Assert.False(plan.Any(l => l.Contains("Seq Scan on tasks", StringComparison.Ordinal) || l.Contains("Seq Scan on events", StringComparison.Ordinal)
                || l.Contains("Seq Scan on workflows", StringComparison.Ordinal)), $"{sql}\n{text}");
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection conn, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, conn) { CommandTimeout = 120 };
        await cmd.ExecuteNonQueryAsync();
    }
}
