using FlowMesh.Engine.Store;
using FlowMesh.Tests.Support;

namespace FlowMesh.Tests.Cluster;

/// <summary>The coordination rows on a real PostgreSQL: terms fence claims and commits, the inbox, node work queues.</summary>
[Trait("Category", "Integration")]
[Collection(TestPostgres.Collection)]
public sealed class ClusterStoreTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Inbox_ClaimedOnlyUnderTheCurrentTermAndOnce_AnsweredAndWithdrawnExactly()
    {
        if (await OpenAsync() is not { } store)
        {
            return;
        }

        using (store)
        {
            var first = store.PostInbox("cancel", "{}", "replica-a");
            Assert.Empty(store.ClaimInbox(term: 1, limit: 10));
            Assert.Equal(1, store.BeginTerm("replica-a"));
            var second = store.PostInbox("retry", "{\"workflowId\":\"wf-1\"}", "replica-b");

            Assert.Empty(store.ClaimInbox(term: 7, limit: 10));
            var claimed = store.ClaimInbox(term: 1, limit: 10);
            Assert.Equal([first, second], claimed.Select(c => c.Id));
            Assert.Equal(("retry", "{\"workflowId\":\"wf-1\"}"), (claimed[1].Kind, claimed[1].Body));
            Assert.Empty(store.ClaimInbox(term: 1, limit: 10));
            Assert.False(store.WithdrawInbox(first));

            store.AnswerInbox([new InboxAnswer(first, "\"wf-1\"", null, 200), new InboxAnswer(second, null, "conflict:still running", 409)]);
            Assert.Equal((true, 1L, "\"wf-1\"", (string?)null, 200), store.GetInboxOutcome(first));
            Assert.Equal((true, 1L, (string?)null, "conflict:still running", 409), store.GetInboxOutcome(second));

            var third = store.PostInbox("cancel", "{}", "replica-a");
            Assert.True(store.WithdrawInbox(third));
            Assert.Empty(store.ClaimInbox(term: 1, limit: 10));
            Assert.Equal((false, (long?)null), store.GetInboxOutcome(third) is var o ? (o.Answered, o.TakenTerm) : default);
        }
    }

    [Fact]
    public async Task Fence_AfterANewTerm_FailsTheOldLeadersTransactionAndCommitsNothing()
    {
        if (await OpenAsync() is not { } store)
        {
            return;
        }

        using (store)
        {
            var term = store.BeginTerm("replica-a");
            using (var tx = store.Begin())
            {
                tx.Fence(term);
                tx.InsertWorkflow(new WorkflowRow("wf-1", "one", "Running", 1, "one.yaml", "FlowMeshYaml", null, null, T0, null, 0));
                tx.Commit();
            }

            Assert.Equal(term + 1, store.BeginTerm("replica-b"));
            using (var stale = store.Begin())
            {
                var lost = Assert.Throws<LeadershipLostException>(() => stale.Fence(term));
                Assert.Equal(term, lost.Term);
            }

            Assert.Equal((term + 1, "replica-b"), store.CurrentLeader());
            Assert.NotNull(store.GetWorkflow("wf-1"));
        }
    }

    [Fact]
    public async Task NodeWork_TakenOnceInOrderForTheLiveEpochOnly_AndStaleQueuesArePruned()
    {
        if (await OpenAsync() is not { } store)
        {
            return;
        }

        using (store)
        {
            using (var tx = store.Begin())
            {
                tx.SaveNode(new NodeRow("node-a", "Up", 0, "host", 1, 1, T0, "{}", Epoch: 2), -1);
                tx.EnqueueNodeWork("node-a", 1, "old");
                tx.EnqueueNodeWork("node-a", 2, "first");
                tx.EnqueueNodeWork("node-a", 2, "second");
                tx.EnqueueNodeWork("node-b", 5, "nobody polls");
                tx.Commit();
            }

            Assert.Null(store.TakeNodeWork("node-a", 1));
            Assert.Null(store.TakeNodeWork("node-x", 1));
            Assert.Equal(["first", "second"], store.TakeNodeWork("node-a", 2));
            Assert.Empty(store.TakeNodeWork("node-a", 2)!);
            Assert.Equal(1, store.PruneClusterQueues(TimeSpan.FromMinutes(10)));
        }
    }

    private async Task<FlowMeshStore?> OpenAsync() =>
        TestPostgres.Available(output) ? FlowMeshStore.Open(StoreLocation.Postgres(await TestPostgres.CreateDatabaseAsync())) : null;
}
