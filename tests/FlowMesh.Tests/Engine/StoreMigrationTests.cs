using FlowMesh.Engine.Store;
using FlowMesh.Tests.Support;
using Microsoft.Data.Sqlite;

namespace FlowMesh.Tests.Engine;

[Trait("Category", "Unit")]
public sealed class StoreMigrationTests
{
    [Fact]
    public void Open_Version2Store_AddsTheGpusColumnAndKeepsItsRows()
    {
        using var dir = new TempDir();
        using (var connection = new SqliteConnection($"Data Source={Path.Combine(dir.Path, "flowmesh.db")};Pooling=False"))
        {
            connection.Open();
            using var cmd = connection.CreateCommand();
            cmd.CommandText = StoreSchema.Meta + System.Text.RegularExpressions.Regex.Replace(StoreSchema.Create.Replace(" gpus TEXT,", string.Empty, StringComparison.Ordinal), @",\s*epoch INTEGER NOT NULL DEFAULT 0", string.Empty)
                    .Replace(StoreSchema.Create[StoreSchema.Create.IndexOf(", weight REAL", StringComparison.Ordinal)..(StoreSchema.Create.IndexOf("budget_hard INTEGER NOT NULL DEFAULT 1", StringComparison.Ordinal) + 38)], string.Empty, StringComparison.Ordinal)
                + "INSERT INTO meta(key, value) VALUES ('schema_version', '2');"
                + "INSERT INTO tasks(workflow_id, idx, name, task_type, state, version, spec, deps, resources, attempt) VALUES ('wf-old', 0, 'old', 'echo', 'Running', 3, '{}', '[]', '{}', 1);";
            cmd.ExecuteNonQuery();
        }

        using (var store = FlowMeshStore.Open(dir.Path))
        {
            var row = Assert.Single(store.GetTasks("wf-old"));
            Assert.Equal("old", row.Name);
            Assert.Null(row.Gpus);
            using var tx = store.Begin();
            tx.UpdateTask("wf-old", 0, 3, new TaskUpdate("Running", 2, "node-x", null, null, null, null, [1, 3]));
            tx.Commit();
            Assert.Equal("[1,3]", Assert.Single(store.GetTasks("wf-old")).Gpus);
        }

        using var reopened = FlowMeshStore.Open(dir.Path);
        Assert.Equal("[1,3]", Assert.Single(reopened.GetTasks("wf-old")).Gpus);
    }

    [Theory]
    [InlineData(CommitDurability.Fsync, 2L)]
    [InlineData(CommitDurability.Process, 1L)]
    public void Open_Durability_SetsTheWriterConnectionsSynchronousLevel(CommitDurability durability, long expected)
    {
        using var dir = new TempDir();
        using var store = FlowMeshStore.Open(StoreLocation.Sqlite(dir.Path) with { Durability = durability });
        using var cmd = store.Command("PRAGMA synchronous");
        Assert.Equal(expected, Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture));
        using var mode = store.Command("PRAGMA journal_mode");
        Assert.Equal("wal", mode.ExecuteScalar());
    }
}
