using FlowMesh.Abstractions;
using FlowMesh.Runtime.Storage;

namespace FlowMesh.Runtime.Tests.Storage;

/// <summary>The workflow event log over a real SQLite file.</summary>
[Trait("Category", "Unit")]
public sealed class SqliteWorkflowEventStoreTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.FromHours(2));
    private readonly TempDirectory _dir = new();
    private readonly SqliteDatabase _database;
    private readonly SqliteWorkflowEventStore _store;

    public SqliteWorkflowEventStoreTests()
    {
        _database = SqliteDatabase.Open(_dir.File("events.db"), SqliteDurability.Process);
        _store = new SqliteWorkflowEventStore(_database);
    }

    public void Dispose()
    {
        _database.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task AppendAsync_SeveralBatchesAndWorkflows_ReadsEachWorkflowInSeqOrderWithItsFields()
    {
        await _store.AppendAsync([Event("wf-a", 1), Event("wf-b", 1, task: "t1"), Event("wf-a", 2)], CancellationToken.None);
        await _store.AppendAsync([Event("wf-b", 2), Event("wf-a", 3, task: "t2")], CancellationToken.None);

        var a = await _store.ReadAsync("wf-a", 0, 100, CancellationToken.None);
        var b = await _store.ReadAsync("wf-b", 0, 100, CancellationToken.None);

        Assert.Equal([1L, 2L, 3L], a.Select(e => e.Seq));
        Assert.Equal([1L, 2L], b.Select(e => e.Seq));
        Assert.All(a, e => Assert.Equal("wf-a", e.WorkflowId));
        Assert.Equal("t2", a[2].Task);
        Assert.Null(a[0].Task);
        Assert.Equal("t1", b[0].Task);
        Assert.Equal("""{"n":3}""", a[2].Data);
        Assert.Equal(EventKinds.TaskState, a[1].Kind);
        Assert.Equal(T0.AddSeconds(3), a[2].At);
        Assert.Equal(TimeSpan.Zero, a[2].At.Offset);
    }

    [Fact]
    public async Task AppendAsync_SameSeqAgain_KeepsTheFirstEntry()
    {
        await _store.AppendAsync([Event("wf", 1, data: """{"first":true}"""), Event("wf", 2)], CancellationToken.None);

        await _store.AppendAsync([Event("wf", 1, data: """{"first":false}"""), Event("wf", 3)], CancellationToken.None);

        var read = await _store.ReadAsync("wf", 0, 100, CancellationToken.None);
        Assert.Equal([1L, 2L, 3L], read.Select(e => e.Seq));
        Assert.Equal("""{"first":true}""", read[0].Data);
    }

    [Fact]
    public async Task ReadAsync_AfterSeqWithMax_PagesThroughTheLogInOrder()
    {
        // Appended out of order within a batch: the order read back is the seq's, not the insertion's.
        await _store.AppendAsync([.. Enumerable.Range(1, 10).Reverse().Select(i => Event("wf", i))], CancellationToken.None);

        var pages = new List<IReadOnlyList<WorkflowEvent>>();
        long after = 0;
        while (true)
        {
            var page = await _store.ReadAsync("wf", after, 4, CancellationToken.None);
            if (page.Count == 0)
            {
                break;
            }

            pages.Add(page);
            after = page[^1].Seq;
        }

        Assert.Equal([4, 4, 2], pages.Select(p => p.Count));
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), pages.SelectMany(p => p).Select(e => e.Seq));
        Assert.Empty(await _store.ReadAsync("wf", 10, 4, CancellationToken.None));
        Assert.Empty(await _store.ReadAsync("wf", 0, 0, CancellationToken.None));
        Assert.Empty(await _store.ReadAsync("other", 0, 4, CancellationToken.None));
    }

    [Fact]
    public async Task AppendAsync_ManyConcurrentAppends_AllLandInFewerCommits()
    {
        var before = _database.CommitCount;

        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => _store.AppendAsync([Event($"wf-{i}", 1)], CancellationToken.None)));

        var commits = _database.CommitCount - before;
        Assert.InRange(commits, 1, 100);
        for (var i = 0; i < 200; i++)
        {
            Assert.Single(await _store.ReadAsync($"wf-{i}", 0, 10, CancellationToken.None));
        }
    }

    [Fact]
    public async Task AppendAsync_CancelledBeforehand_WritesNothing()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _store.AppendAsync([Event("wf", 1)], cancelled.Token));

        Assert.Empty(await _store.ReadAsync("wf", 0, 10, CancellationToken.None));
    }

    internal static WorkflowEvent Event(string workflow, long seq, string? task = null, string? data = null) =>
        new(workflow, seq, T0.AddSeconds(seq), seq == 2 ? EventKinds.TaskState : EventKinds.WorkflowSubmitted, task, data ?? $$"""{"n":{{seq}}}""");
}
