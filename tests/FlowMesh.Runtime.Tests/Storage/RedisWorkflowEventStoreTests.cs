using FlowMesh.Abstractions;
using FlowMesh.Runtime.Storage;
using FlowMesh.Runtime.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace FlowMesh.Runtime.Tests.Storage;

[Collection(RedisCollection.Name)]
[Trait("Category", "Integration")]
public sealed class RedisWorkflowEventStoreTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private RedisServer? _server;
    private ConnectionMultiplexer? _redis;

    private RedisServer Server => _server ?? throw new InvalidOperationException("the server is not started");

    public async Task InitializeAsync()
    {
        _server = await RedisServer.StartNewAsync();
        _redis = await ConnectAsync(_server);
    }

    public async Task DisposeAsync()
    {
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [RedisFact]
    public async Task AppendAsync_NewEntries_ReadsThemBackInOrder()
    {
        var store = CreateStore(_redis!);
        var events = Enumerable.Range(1, 5).Select(seq => Event("wf-a", seq)).ToList();

        await store.AppendAsync(events, CancellationToken.None);
        var read = await store.ReadAsync("wf-a", 0, 100, CancellationToken.None);

        Assert.Equal(events, read);
    }

    [RedisFact]
    public async Task AppendAsync_SeqAlreadyStored_KeepsTheFirstEntry()
    {
        var store = CreateStore(_redis!);
        await store.AppendAsync([Event("wf-a", 1), Event("wf-a", 2, kind: "first")], CancellationToken.None);

        await store.AppendAsync(
            [Event("wf-a", 2, kind: "replayed", at: Start.AddHours(1)), Event("wf-a", 3), Event("wf-a", 3, kind: "twice in one batch")],
            CancellationToken.None);
        var read = await store.ReadAsync("wf-a", 0, 100, CancellationToken.None);

        Assert.Equal([1L, 2L, 3L], read.Select(e => e.Seq));
        Assert.Equal(Event("wf-a", 2, kind: "first"), read[1]);
        Assert.Equal(Event("wf-a", 3), read[2]);
        Assert.Equal(3, await _redis!.GetDatabase().SortedSetLengthAsync(RedisWorkflowEventStore.KeyOf("wf-a")));
    }

    [RedisFact]
    public async Task ReadAsync_PagesAfterSeq_ReturnsEachEntryOnceInOrder()
    {
        var store = CreateStore(_redis!);
        // Seqs of more than one digit, appended out of order across calls: the order must be numeric, not textual.
        await store.AppendAsync(Enumerable.Range(11, 15).Select(seq => Event("wf-p", seq)).ToList(), CancellationToken.None);
        await store.AppendAsync(Enumerable.Range(1, 10).Select(seq => Event("wf-p", seq)).ToList(), CancellationToken.None);

        var seen = new List<long>();
        long after = 0;
        while (true)
        {
            var page = await store.ReadAsync("wf-p", after, 4, CancellationToken.None);
            if (page.Count == 0)
            {
                break;
            }

            Assert.True(page.Count <= 4);
            seen.AddRange(page.Select(e => e.Seq));
            after = page[^1].Seq;
        }

        Assert.Equal(Enumerable.Range(1, 25).Select(i => (long)i), seen);
        Assert.Empty(await store.ReadAsync("wf-p", 25, 10, CancellationToken.None));
        Assert.Empty(await store.ReadAsync("wf-p", 0, 0, CancellationToken.None));
    }

    [RedisFact]
    public async Task AppendAsync_TwoWorkflowsInOneBatch_KeepsTheirLogsApart()
    {
        var store = CreateStore(_redis!);

        await store.AppendAsync(
            [Event("wf-1", 1), Event("wf-2", 1, task: "t"), Event("wf-1", 2), Event("wf-2", 2)],
            CancellationToken.None);

        Assert.Equal([Event("wf-1", 1), Event("wf-1", 2)], await store.ReadAsync("wf-1", 0, 10, CancellationToken.None));
        Assert.Equal([Event("wf-2", 1, task: "t"), Event("wf-2", 2)], await store.ReadAsync("wf-2", 0, 10, CancellationToken.None));
        Assert.Empty(await store.ReadAsync("wf-3", 0, 10, CancellationToken.None));
    }

    [RedisFact]
    public async Task AppendAsync_AcknowledgedBeforeKill9_IsThereAfterRestart()
    {
        var store = CreateStore(_redis!);
        var events = Enumerable.Range(1, 50).Select(seq => Event("wf-k", seq)).ToList();
        await store.AppendAsync(events, CancellationToken.None);

        await Server.KillAsync();
        await Server.StartAsync();

        await using (var fresh = await ConnectAsync(Server))
        {
            Assert.Equal(events, await CreateStore(fresh).ReadAsync("wf-k", 0, 100, CancellationToken.None));
        }

        // The store's own connection comes back by itself: a silo outlives a Redis restart.
        Assert.Equal(events, await EventuallyAsync(() => store.ReadAsync("wf-k", 0, 100, CancellationToken.None)));
    }

    private static RedisWorkflowEventStore CreateStore(IConnectionMultiplexer redis) =>
        new(redis, NullLogger<RedisWorkflowEventStore>.Instance);

    private static async Task<ConnectionMultiplexer> ConnectAsync(RedisServer server) =>
        await ConnectionMultiplexer.ConnectAsync(RedisAddress.Parse(server.Configuration));

    private static WorkflowEvent Event(string workflowId, long seq, string kind = "task.state", string? task = null, DateTimeOffset? at = null) =>
        new(workflowId, seq, at ?? Start.AddSeconds(seq), kind, task, $$"""{"n":{{seq}},"note":"\u00e9 \"quoted\""}""");

    private static async Task<T> EventuallyAsync<T>(Func<Task<T>> read)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            try
            {
                return await read();
            }
            catch (Exception e) when (e is RedisException or TimeoutException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }
}
