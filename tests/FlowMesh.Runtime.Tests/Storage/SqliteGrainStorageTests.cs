using FlowMesh.Runtime.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Serialization;
using Orleans.Storage;

namespace FlowMesh.Runtime.Tests.Storage;

/// <summary>The grain storage provider over a real SQLite file: round trips, ETag conflicts and clearing.</summary>
[Trait("Category", "Unit")]
public sealed class SqliteGrainStorageTests : IDisposable
{
    private static readonly GrainId Grain = GrainId.Create("counter", "a");
    private readonly TempDirectory _dir = new();
    private readonly List<SqliteDatabase> _databases = [];

    public void Dispose()
    {
        foreach (var database in _databases)
        {
            database.Dispose();
        }

        _dir.Dispose();
    }

    [Fact]
    public async Task ReadStateAsync_NoRecord_LeavesStateAndReportsNoRecord()
    {
        var storage = Storage(Open());
        var state = new GrainState<CounterState>(new CounterState { Value = 7 });

        await storage.ReadStateAsync("s", Grain, state);

        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);
        Assert.Equal(7, state.State!.Value);
    }

    [Fact]
    public async Task WriteStateAsync_ThenReadFromAnotherInstance_RoundTripsStateAndETag()
    {
        var path = _dir.File("state.db");
        var written = new GrainState<CounterState>(new CounterState { Value = 42, Note = "hello" });
        await Storage(Open(path)).WriteStateAsync("s", Grain, written);

        var read = new GrainState<CounterState>(new CounterState());
        await Storage(Open(path)).ReadStateAsync("s", Grain, read);

        Assert.True(written.RecordExists);
        Assert.NotNull(written.ETag);
        Assert.True(read.RecordExists);
        Assert.Equal(written.ETag, read.ETag);
        Assert.Equal(42, read.State!.Value);
        Assert.Equal("hello", read.State!.Note);
    }

    [Fact]
    public async Task WriteStateAsync_StaleETag_ThrowsInconsistentStateAndKeepsStoredState()
    {
        var storage = Storage(Open());
        var first = new GrainState<CounterState>(new CounterState());
        var stale = new GrainState<CounterState>(new CounterState());
        await storage.ReadStateAsync("s", Grain, first);
        await storage.ReadStateAsync("s", Grain, stale);

        first.State!.Value = 1;
        await storage.WriteStateAsync("s", Grain, first);
        stale.State!.Value = 2;
        var conflict = await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("s", Grain, stale));

        Assert.Equal(first.ETag, conflict.StoredEtag);
        var read = new GrainState<CounterState>(new CounterState());
        await storage.ReadStateAsync("s", Grain, read);
        Assert.Equal(1, read.State!.Value);
        Assert.Equal(first.ETag, read.ETag);
    }

    [Fact]
    public async Task WriteStateAsync_TwoProvidersOnOneFile_SecondStaleWriterConflicts()
    {
        // Two databases on one file: two writers, as two processes would be.
        var path = _dir.File("shared.db");
        var a = Storage(Open(path));
        var b = Storage(Open(path));
        var stateA = new GrainState<CounterState>(new CounterState { Value = 1 });
        await a.WriteStateAsync("s", Grain, stateA);
        var stateB = new GrainState<CounterState>(new CounterState());
        await b.ReadStateAsync("s", Grain, stateB);

        stateA.State!.Value = 2;
        await a.WriteStateAsync("s", Grain, stateA);
        stateB.State!.Value = 3;

        await Assert.ThrowsAsync<InconsistentStateException>(() => b.WriteStateAsync("s", Grain, stateB));
        await b.ReadStateAsync("s", Grain, stateB);
        Assert.Equal(2, stateB.State!.Value);
        Assert.Equal(stateA.ETag, stateB.ETag);
    }

    [Fact]
    public async Task ClearStateAsync_CurrentETag_DeletesAndOldETagNoLongerWrites()
    {
        var storage = Storage(Open());
        var state = new GrainState<CounterState>(new CounterState { Value = 5 });
        await storage.WriteStateAsync("s", Grain, state);
        var holder = new GrainState<CounterState>(new CounterState());
        await storage.ReadStateAsync("s", Grain, holder);

        await storage.ClearStateAsync("s", Grain, state);

        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);
        var read = new GrainState<CounterState>(new CounterState());
        await storage.ReadStateAsync("s", Grain, read);
        Assert.False(read.RecordExists);
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("s", Grain, holder));
        state.State!.Value = 6;
        await storage.WriteStateAsync("s", Grain, state);
        Assert.True(state.RecordExists);
    }

    [Fact]
    public async Task ClearStateAsync_StaleETag_ThrowsInconsistentStateAndKeepsRecord()
    {
        var storage = Storage(Open());
        var state = new GrainState<CounterState>(new CounterState { Value = 5 });
        await storage.WriteStateAsync("s", Grain, state);
        var stale = new GrainState<CounterState>(new CounterState()) { ETag = "not-the-stored-one" };

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync("s", Grain, stale));

        var read = new GrainState<CounterState>(new CounterState());
        await storage.ReadStateAsync("s", Grain, read);
        Assert.True(read.RecordExists);
        Assert.Equal(5, read.State!.Value);
    }

    [Fact]
    public async Task WriteStateAsync_ConflictAmongConcurrentWrites_OnlyTheConflictingOneFails()
    {
        var storage = Storage(Open());
        var stale = new GrainState<CounterState>(new CounterState()) { ETag = "stale" };
        var states = Enumerable.Range(0, 50).Select(i => new GrainState<CounterState>(new CounterState { Value = i })).ToArray();

        var good = states.Select((s, i) => storage.WriteStateAsync("s", GrainId.Create("counter", $"g{i}"), s)).ToList();
        var bad = storage.WriteStateAsync("s", GrainId.Create("counter", "g7"), stale);

        await Assert.ThrowsAsync<InconsistentStateException>(() => bad);
        await Task.WhenAll(good);
        for (var i = 0; i < states.Length; i++)
        {
            var read = new GrainState<CounterState>(new CounterState());
            await storage.ReadStateAsync("s", GrainId.Create("counter", $"g{i}"), read);
            Assert.Equal(i, read.State!.Value);
        }
    }

    [Fact]
    public async Task ReadStateAsync_OtherStateNameOrGrain_DoesNotSeeTheRecord()
    {
        var storage = Storage(Open());
        await storage.WriteStateAsync("s", Grain, new GrainState<CounterState>(new CounterState { Value = 1 }));

        var otherName = new GrainState<CounterState>(new CounterState());
        var otherGrain = new GrainState<CounterState>(new CounterState());
        await storage.ReadStateAsync("t", Grain, otherName);
        await storage.ReadStateAsync("s", GrainId.Create("counter", "b"), otherGrain);

        Assert.False(otherName.RecordExists);
        Assert.False(otherGrain.RecordExists);
    }

    internal static IGrainStorageSerializer Serializer() =>
        new SystemTextJsonGrainStorageSerializer(Options.Create(new SystemTextJsonGrainStorageSerializerOptions()));

    private static SqliteGrainStorage Storage(SqliteDatabase database) =>
        new("flowmesh", database, Serializer(), NullLogger<SqliteGrainStorage>.Instance);

    private SqliteDatabase Open(string? path = null)
    {
        var database = SqliteDatabase.Open(path ?? _dir.File("state.db"), SqliteDurability.Process);
        _databases.Add(database);
        return database;
    }
}
