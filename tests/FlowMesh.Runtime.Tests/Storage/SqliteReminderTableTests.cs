using FlowMesh.Runtime.Storage;

namespace FlowMesh.Runtime.Tests.Storage;

/// <summary>The reminder table over a real SQLite file: round trips, ETags and the ring-range reads.</summary>
[Trait("Category", "Unit")]
public sealed class SqliteReminderTableTests : IDisposable
{
    private static readonly DateTime T0 = new(2025, 3, 1, 12, 0, 0, DateTimeKind.Utc);
    private static readonly GrainId Grain = GrainId.Create("workflow", "a");
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
    public async Task UpsertRow_ThenReadFromAnotherInstance_RoundTripsEveryField()
    {
        var path = _dir.File("reminders.db");
        var etag = await Table(path).UpsertRow(Entry(Grain, "keep-alive", TimeSpan.FromMinutes(5)));

        var read = await Table(path).ReadRow(Grain, "keep-alive");

        Assert.NotNull(read);
        Assert.False(string.IsNullOrEmpty(etag));
        Assert.Equal(Grain, read.GrainId);
        Assert.Equal("keep-alive", read.ReminderName);
        Assert.Equal(T0, read.StartAt);
        Assert.Equal(DateTimeKind.Utc, read.StartAt.Kind);
        Assert.Equal(TimeSpan.FromMinutes(5), read.Period);
        Assert.Equal(etag, read.ETag);
    }

    [Fact]
    public async Task UpsertRow_SameKeyAgain_ReplacesTheRowWithANewETag()
    {
        var table = Table();
        var first = await table.UpsertRow(Entry(Grain, "r", TimeSpan.FromMinutes(1)));

        var second = await table.UpsertRow(Entry(Grain, "r", TimeSpan.FromMinutes(2), T0.AddHours(1)));

        Assert.NotEqual(first, second);
        var rows = (await table.ReadRows(Grain)).Reminders;
        var row = Assert.Single(rows);
        Assert.Equal(second, row.ETag);
        Assert.Equal(TimeSpan.FromMinutes(2), row.Period);
        Assert.Equal(T0.AddHours(1), row.StartAt);
    }

    [Fact]
    public async Task UpsertRow_UnspecifiedOrLocalKind_StoresTheSameUtcInstant()
    {
        var table = Table();
        var other = GrainId.Create("workflow", "b");
        await table.UpsertRow(Entry(Grain, "unspecified", TimeSpan.FromMinutes(1), DateTime.SpecifyKind(T0, DateTimeKind.Unspecified)));
        await table.UpsertRow(Entry(other, "local", TimeSpan.FromMinutes(1), T0.ToLocalTime()));

        Assert.Equal(T0, (await table.ReadRow(Grain, "unspecified"))!.StartAt);
        Assert.Equal(T0, (await table.ReadRow(other, "local"))!.StartAt);
    }

    [Fact]
    public async Task ReadRow_Missing_ReturnsNull()
    {
        var table = Table();
        await table.UpsertRow(Entry(Grain, "r", TimeSpan.FromMinutes(1)));

        Assert.Null(await table.ReadRow(Grain, "other"));
        Assert.Null(await table.ReadRow(GrainId.Create("workflow", "nobody"), "r"));
    }

    [Fact]
    public async Task ReadRows_ByGrain_ReturnsThatGrainsRemindersOnly()
    {
        var table = Table();
        var other = GrainId.Create("workflow", "b");
        await table.UpsertRow(Entry(Grain, "one", TimeSpan.FromMinutes(1)));
        await table.UpsertRow(Entry(Grain, "two", TimeSpan.FromMinutes(1)));
        await table.UpsertRow(Entry(other, "one", TimeSpan.FromMinutes(1)));

        var rows = (await table.ReadRows(Grain)).Reminders;

        Assert.Equal(["one", "two"], rows.Select(r => r.ReminderName).Order(StringComparer.Ordinal));
        Assert.All(rows, r => Assert.Equal(Grain, r.GrainId));
        Assert.Empty((await table.ReadRows(GrainId.Create("workflow", "nobody"))).Reminders);
    }

    [Fact]
    public async Task RemoveRow_CurrentETag_RemovesTheRow()
    {
        var table = Table();
        var etag = await table.UpsertRow(Entry(Grain, "r", TimeSpan.FromMinutes(1)));

        Assert.True(await table.RemoveRow(Grain, "r", etag!));

        Assert.Null(await table.ReadRow(Grain, "r"));
        Assert.False(await table.RemoveRow(Grain, "r", etag!));
    }

    [Fact]
    public async Task RemoveRow_StaleETag_ReturnsFalseAndKeepsTheRow()
    {
        var table = Table();
        var stale = await table.UpsertRow(Entry(Grain, "r", TimeSpan.FromMinutes(1)));
        var current = await table.UpsertRow(Entry(Grain, "r", TimeSpan.FromMinutes(2)));

        Assert.False(await table.RemoveRow(Grain, "r", stale!));
        Assert.False(await table.RemoveRow(Grain, "r", ""));

        var row = await table.ReadRow(Grain, "r");
        Assert.NotNull(row);
        Assert.Equal(current, row.ETag);
    }

    [Fact]
    public async Task ReadRows_BeginBelowEnd_ReturnsHashesAboveBeginUpToAndIncludingEnd()
    {
        var table = Table();
        var grains = await SeedAsync(table, 24);
        var begin = grains[5].GetUniformHashCode();
        var end = grains[15].GetUniformHashCode();

        var rows = (await table.ReadRows(begin, end)).Reminders;

        // Exclusive of begin's grain, inclusive of end's.
        Assert.Equal(grains[6..16].Select(Key).Order(StringComparer.Ordinal), rows.Select(r => Key(r.GrainId)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ReadRows_BeginAboveEnd_ReturnsTheRangeWrappedPastTheTop()
    {
        var table = Table();
        var grains = await SeedAsync(table, 24);
        var begin = grains[15].GetUniformHashCode();
        var end = grains[5].GetUniformHashCode();

        var rows = (await table.ReadRows(begin, end)).Reminders;

        var expected = grains[16..].Concat(grains[..6]).Select(Key).Order(StringComparer.Ordinal);
        Assert.Equal(expected, rows.Select(r => Key(r.GrainId)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ReadRows_BeginEqualsEnd_ReturnsTheWholeRing()
    {
        var table = Table();
        var grains = await SeedAsync(table, 12);

        Assert.Equal(grains.Length, (await table.ReadRows(0, 0)).Reminders.Count);
        var at = grains[4].GetUniformHashCode();
        Assert.Equal(grains.Length, (await table.ReadRows(at, at)).Reminders.Count);
    }

    [Fact]
    public async Task ReadRows_UpperHalfOfTheHashSpace_ComparesHashesAsUnsigned()
    {
        var table = Table();
        var grains = await SeedAsync(table, 32);
        var upper = grains.Where(g => g.GetUniformHashCode() > int.MaxValue).Select(Key).Order(StringComparer.Ordinal).ToArray();

        var rows = (await table.ReadRows(int.MaxValue, uint.MaxValue)).Reminders;

        // The hashes of these keys are fixed; this only guards that they still fall on both sides of 2^31.
        Assert.InRange(upper.Length, 1, grains.Length - 1);
        Assert.Equal(upper, rows.Select(r => Key(r.GrainId)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task TestOnlyClearTable_RemovesEveryRow()
    {
        var table = Table();
        await SeedAsync(table, 5);

        await table.TestOnlyClearTable();

        Assert.Empty((await table.ReadRows(0, 0)).Reminders);
    }

    [Fact]
    public async Task UpsertRow_ManyAtOnce_ShareCommitsOfTheGroupWriter()
    {
        var database = Open(_dir.File("group.db"));
        var table = new SqliteReminderTable(database);
        var before = database.CommitCount;

        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => table.UpsertRow(Entry(GrainId.Create("workflow", $"g{i}"), "r", TimeSpan.FromMinutes(1)))));

        Assert.InRange(database.CommitCount - before, 1, 50);
        Assert.Equal(200, (await table.ReadRows(0, 0)).Reminders.Count);
    }

    private static ReminderEntry Entry(GrainId grain, string name, TimeSpan period, DateTime? startAt = null) =>
        new() { GrainId = grain, ReminderName = name, StartAt = startAt ?? T0, Period = period };

    private static string Key(GrainId grain) => grain.ToString();

    // Grains sorted by their hash, one reminder each, so a test picks range bounds by index.
    private static async Task<GrainId[]> SeedAsync(SqliteReminderTable table, int count)
    {
        var grains = Enumerable.Range(0, count)
            .Select(i => GrainId.Create("workflow", $"ring-{i}"))
            .OrderBy(g => g.GetUniformHashCode())
            .ToArray();
        Assert.Equal(count, grains.Select(g => g.GetUniformHashCode()).Distinct().Count());
        foreach (var grain in grains)
        {
            await table.UpsertRow(Entry(grain, "r", TimeSpan.FromMinutes(1)));
        }

        return grains;
    }

    private SqliteReminderTable Table(string? path = null) => new(Open(path ?? _dir.File("reminders.db")));

    private SqliteDatabase Open(string path)
    {
        var database = SqliteDatabase.Open(path, SqliteDurability.Process);
        _databases.Add(database);
        return database;
    }
}
