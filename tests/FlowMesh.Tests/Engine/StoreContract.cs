using FlowMesh.Engine.Store;

namespace FlowMesh.Tests.Engine;

/// <summary>
/// What every store backend must do the same way. Each backend's test class derives from this one and says how to open
/// a fresh store; a backend that is not available here returns null and its tests return early (CI=true fails instead).
/// </summary>
public abstract class StoreContract
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    /// <summary>A fresh, empty store location, or null when this backend is not available.</summary>
    protected abstract Task<StoreLocation?> CreateAsync();

    [Fact]
    public async Task Workflow_InsertedWithTasks_ReadsBackTheSame()
    {
        if (await OpenAsync() is not { } store)
        {
            return;
        }

        using (store)
        {
            Seed(store, "wf-1", "tenant-a", "alpha", tasks: 2);
            var wf = store.GetWorkflow("wf-1")!;
            Assert.Equal(("alpha", "Running", 1L, 2, "tenant-a", "alice"), (wf.Name, wf.State, wf.Version, wf.TaskCount, wf.Tenant, wf.Submitter));
            Assert.Equal(T0, wf.SubmittedAt);
            Assert.Null(store.GetWorkflow("tenant-b", "wf-1"));
            var tasks = store.GetTasks("wf-1");
            Assert.Equal(["t0", "t1"], tasks.Select(t => t.Name));
            using (var tx = store.Begin())
            {
                tx.UpdateTask("wf-1", 1, 1, new TaskUpdate("Running", 2, "node-a", null, null, T0, null, [0, 3]));
                tx.Commit();
            }

            var running = store.GetTask("wf-1", 1)!;
            Assert.Equal(("Running", 2L, 2, "node-a", "[0,3]", T0), (running.State, running.Version, running.Attempt, running.NodeId, running.Gpus, running.StartedAt));
            Assert.True(store.HoldsLease("node-a", "wf-1", 1, 2));
            Assert.False(store.HoldsLease("node-a", "wf-1", 1, 1));
            Assert.False(store.HoldsLease("node-b", "wf-1", 1, 2));
            var (task, tenant) = Assert.Single(store.GetRunningTasks("node-a"));
            Assert.Equal(("t1", "tenant-a"), (task.Name, tenant));
        }
    }

    [Fact]
    public async Task UpdateTask_AtAStaleVersion_ThrowsAndTheTransactionLeavesNoTrace()
    {
        if (await OpenAsync() is not { } store)
        {
            return;
        }

        using (store)
        {
            Seed(store, "wf-1", "tenant-a", "alpha", tasks: 1);
            using (var tx = store.Begin())
            {
                tx.UpdateTask("wf-1", 0, 1, new TaskUpdate("Ready", 1, null, null, null, null, null));
                tx.AppendEvent(new EventRow("wf-1", 1, T0, "task.state", "t0", "{}"));
                // A write may be queued (PostgreSQL batches a turn's writes): the refusal comes by the commit at the latest.
                Assert.Throws<StaleVersionException>(() =>
                {
                    tx.UpdateTask("wf-1", 0, 1, new TaskUpdate("Running", 1, "n", null, null, null, null));
                    tx.Commit();
                });
            }

            Assert.Equal(("Pending", 1L), (store.GetTask("wf-1", 0)!.State, store.GetTask("wf-1", 0)!.Version));
            Assert.Equal(0, store.LastEventSeq("wf-1"));
            using (var tx = store.Begin())
            {
                Assert.Throws<StaleVersionException>(() =>
                {
                    tx.UpdateWorkflow("wf-1", 7, "Failed", null, "x", T0);
                    tx.Commit();
                });
            }

            Assert.Equal("Running", store.GetWorkflow("wf-1")!.State);
        }
    }

    [Fact]
    public async Task Events_AfterACursor_ComeInSequenceOrderAndFilter()
    {
        if (await OpenAsync() is not { } store)
        {
            return;
        }

        using (store)
        {
            Seed(store, "wf-1", "tenant-a", "alpha", tasks: 1);
            using (var tx = store.Begin())
            {
                for (var seq = 1; seq <= 5; seq++)
                {
                    tx.AppendEvent(new EventRow("wf-1", seq, T0.AddSeconds(seq), seq % 2 == 0 ? "task.log" : "task.state", seq == 5 ? "t9" : "t0", $"{{\"n\":{seq}}}"));
                }

                tx.Commit();
            }

            Assert.Equal([3L, 4L, 5L], store.GetEvents("wf-1", 2, 100).Select(e => e.Seq));
            Assert.Equal([2L], store.GetEvents("wf-1", 0, 1, kind: "task.log").Select(e => e.Seq).Take(1));
            Assert.Equal([1L, 3L], store.GetEvents("wf-1", 0, 100, kind: "task.state", task: "t0").Select(e => e.Seq));
            Assert.Equal(5, store.LastEventSeq("wf-1"));
            Assert.Equal(T0.AddSeconds(4), store.GetEvents("wf-1", 3, 1)[0].At);
            using var duplicate = store.Begin();
            Assert.ThrowsAny<System.Data.Common.DbException>(() =>
            {
                duplicate.AppendEvent(new EventRow("wf-1", 5, T0, "task.log", null, "{}"));
                duplicate.Commit();
            });
        }
    }

    [Fact]
    public async Task ListWorkflows_FiltersByTenantStateAndNameAndPagesNewestFirst()
    {
        if (await OpenAsync() is not { } store)
        {
            return;
        }

        using (store)
        {
            Seed(store, "wf-1", "tenant-a", "Nightly-Train", tasks: 1, at: T0);
            Seed(store, "wf-2", "tenant-a", "eval", tasks: 1, at: T0.AddMinutes(1));
            Seed(store, "wf-3", "tenant-a", "nightly-eval", tasks: 1, at: T0.AddMinutes(2));
            Seed(store, "wf-4", "tenant-b", "nightly", tasks: 1, at: T0.AddMinutes(3));
            Assert.Equal(["wf-3", "wf-1"], store.ListWorkflows(new WorkflowQuery("tenant-a", 10, Name: "NIGHTLY")).Select(w => w.Id));
            Assert.Equal(["wf-3", "wf-2"], store.ListWorkflows(new WorkflowQuery("tenant-a", 2)).Select(w => w.Id));
            Assert.Equal(["wf-1"], store.ListWorkflows(new WorkflowQuery("tenant-a", 10, Before: (T0.AddMinutes(1), "wf-2"))).Select(w => w.Id));
            Assert.Empty(store.ListWorkflows(new WorkflowQuery("tenant-a", 10, State: "Failed")));
            Assert.Equal(4, store.ListUnfinishedWorkflows().Count);
            Assert.Equal(4, store.CountWorkflowsByState()["Running"]);
        }
    }

    [Fact]
    public async Task SaveNode_KeepsEpochAndCordonAndRefusesAStaleVersion()
    {
        if (await OpenAsync() is not { } store)
        {
            return;
        }

        using (store)
        {
            using (var tx = store.Begin())
            {
                tx.SaveNode(new NodeRow("node-a", "Up", 0, "host", 42, 1234567890123, T0, "{}", Cordoned: false, Epoch: 3), -1);
                tx.SaveNode(new NodeRow("node-a", "Draining", 1, "host", 42, 1234567890123, T0.AddSeconds(5), "{}", Cordoned: true, Epoch: 3), 1);
                tx.Commit();
            }

            var node = store.GetNode("node-a")!;
            Assert.Equal(("Draining", 2L, true, 3L, 1234567890123L, T0.AddSeconds(5)), (node.State, node.Version, node.Cordoned, node.Epoch, node.ProcessStart, node.HeartbeatAt));
            using var stale = store.Begin();
            Assert.Throws<StaleVersionException>(() =>
            {
                stale.SaveNode(node with { State = "Up" }, 1);
                stale.Commit();
            });
        }
    }

    [Fact]
    public async Task TenantsKeysAndUsage_InsertOnceAndRevokeOnce()
    {
        if (await OpenAsync() is not { } store)
        {
            return;
        }

        using (store)
        {
            using (var tx = store.Begin())
            {
                Assert.True(tx.InsertTenant(new TenantRow("tenant-a", T0, false, 5, 2)));
                Assert.False(tx.InsertTenant(new TenantRow("tenant-a", T0, true, 9, 9)));
                tx.InsertApiKey(new ApiKeyRow("key-1", "tenant-a", "ci", "Admin", "hash", T0, null));
                Assert.True(tx.RevokeApiKey("key-1", T0.AddHours(1)));
                Assert.False(tx.RevokeApiKey("key-1", T0.AddHours(2)));
                var usage = new UsageRow("wf-1", "t0", 1, "tenant-a", "node-a", "Succeeded", 2, T0, T0.AddSeconds(10), 10_000, 20.0);
                tx.InsertUsage(usage);
                tx.InsertUsage(usage with { State = "Failed", GpuSeconds = 4.5 });
                tx.Commit();
            }

            Assert.Equal(("tenant-a", false, 5, 2), store.GetTenant("tenant-a") is { } t ? (t.Id, t.IsSystem, t.MaxRunningTasks, t.MaxGpus) : default);
            Assert.Equal(T0.AddHours(1), store.GetApiKey("key-1")!.RevokedAt);
            var row = Assert.Single(store.ListUsage("tenant-a", 10));
            Assert.Equal(("Failed", 4.5, 10_000L), (row.State, row.GpuSeconds, row.DurationMs));
        }
    }

    [Fact]
    public async Task PruneFinishedWorkflows_RemovesOnlyThoseFinishedBeforeTheCutoff()
    {
        if (await OpenAsync() is not { } store)
        {
            return;
        }

        using (store)
        {
            Seed(store, "wf-old", "tenant-a", "old", tasks: 2);
            Seed(store, "wf-new", "tenant-a", "new", tasks: 1);
            Seed(store, "wf-live", "tenant-a", "live", tasks: 1);
            using (var tx = store.Begin())
            {
                tx.UpdateWorkflow("wf-old", 1, "Succeeded", null, null, T0.AddDays(-10));
                tx.UpdateWorkflow("wf-new", 1, "Succeeded", null, null, T0);
                tx.AppendEvent(new EventRow("wf-old", 1, T0, "workflow.state", null, "{}"));
                tx.InsertUsage(new UsageRow("wf-old", "t0", 1, "tenant-a", "node-a", "Succeeded", 0, T0, T0, 1, 0));
                tx.Commit();
            }

            Assert.Equal(1, store.PruneFinishedWorkflows(T0.AddDays(-1), 100));
            Assert.Null(store.GetWorkflow("wf-old"));
            Assert.Empty(store.GetTasks("wf-old"));
            Assert.Empty(store.GetEvents("wf-old", 0, 10));
            Assert.NotNull(store.GetWorkflow("wf-new"));
            Assert.NotNull(store.GetWorkflow("wf-live"));
            Assert.Single(store.ListUsage("tenant-a", 10));
        }
    }

    [Fact]
    public async Task Open_AStoreWithANewerSchema_IsRefusedWithTheVersions()
    {
        if (await CreateAsync() is not { } location)
        {
            return;
        }

        using (var store = FlowMeshStore.Open(location))
        using (var bump = store.Command("UPDATE meta SET value = '99' WHERE key = 'schema_version'"))
        {
            bump.ExecuteNonQuery();
        }

        var error = Assert.Throws<InvalidOperationException>(() => FlowMeshStore.Open(location).Dispose());
        Assert.Contains("schema version 99", error.Message, StringComparison.Ordinal);
        Assert.Contains($"({StoreSchema.Version})", error.Message, StringComparison.Ordinal);
    }

    private async Task<FlowMeshStore?> OpenAsync() => await CreateAsync() is { } location ? FlowMeshStore.Open(location) : null;

    private static void Seed(FlowMeshStore store, string id, string tenant, string name, int tasks, DateTimeOffset? at = null)
    {
        using var tx = store.Begin();
        tx.InsertWorkflow(new WorkflowRow(id, name, "Running", 1, $"{name}.yaml", "FlowMeshYaml", null, null, at ?? T0, null, tasks, tenant, "alice"));
        for (var i = 0; i < tasks; i++)
        {
            tx.InsertTask(new TaskRow(id, i, $"t{i}", "echo", "Pending", 1, "{}", "[]", "{}", 1, null, null, null, null, null));
        }

        tx.Commit();
    }
}
