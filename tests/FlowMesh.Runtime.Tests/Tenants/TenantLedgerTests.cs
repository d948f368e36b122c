using FlowMesh.Abstractions;
using FlowMesh.Runtime.Tenants;

namespace FlowMesh.Runtime.Tests.Tenants;

/// <summary>A tenant's usage per budget period, on a clock the test moves: roll-over, repeats, late records.</summary>
public sealed class TenantLedgerTests
{
    private static readonly DateTimeOffset Morning = new(2026, 3, 2, 10, 30, 0, TimeSpan.Zero);

    private static readonly TenantSettings Hourly = new(BudgetGpuSeconds: 100, BudgetPeriodSeconds: 3600);

    [Fact]
    public void Count_TwoAttemptsInOnePeriod_AddsTheirGpuSeconds()
    {
        var clock = new FakeClock(Morning);
        var ledger = Configured(Hourly, clock);

        Assert.True(ledger.Count(Usage("wf/0", 1, gpus: 2, seconds: 10, clock), clock.GetUtcNow()));
        Assert.True(ledger.Count(Usage("wf/1", 1, gpus: 1, seconds: 5, clock), clock.GetUtcNow()));

        var view = ledger.View("t");
        Assert.Equal(25, view.GpuSeconds, 6);
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 10, 0, 0, TimeSpan.Zero), view.PeriodStart);
        Assert.Equal(["wf/0", "wf/1"], view.Recent.Select(r => r.Task.Key));
    }

    [Fact]
    public void Count_SameAttemptSentTwice_CountsItOnce()
    {
        var clock = new FakeClock(Morning);
        var ledger = Configured(Hourly, clock);
        var usage = Usage("wf/0", 1, gpus: 1, seconds: 30, clock);

        Assert.True(ledger.Count(usage, clock.GetUtcNow()));
        var version = ledger.View("t").Version;
        Assert.False(ledger.Count(usage, clock.Advance(TimeSpan.FromSeconds(1))));

        Assert.Equal(30, ledger.View("t").GpuSeconds, 6);
        Assert.Equal(version, ledger.View("t").Version);
        Assert.Single(ledger.View("t").Recent);
    }

    [Fact]
    public void Count_NextAttemptOfTheSameTask_CountsBoth()
    {
        var clock = new FakeClock(Morning);
        var ledger = Configured(Hourly, clock);

        ledger.Count(Usage("wf/0", 1, gpus: 1, seconds: 30, clock), clock.GetUtcNow());
        ledger.Count(Usage("wf/0", 2, gpus: 1, seconds: 30, clock), clock.GetUtcNow());

        Assert.Equal(60, ledger.View("t").GpuSeconds, 6);
    }

    [Fact]
    public void Roll_PeriodEnded_StartsTheNextFromNothing()
    {
        var clock = new FakeClock(Morning);
        var ledger = Configured(Hourly, clock);
        ledger.Count(Usage("wf/0", 1, gpus: 1, seconds: 600, clock), clock.GetUtcNow());

        Assert.False(ledger.Roll(clock.Advance(TimeSpan.FromMinutes(29))));
        Assert.Equal(600, ledger.View("t").GpuSeconds, 6);
        Assert.True(ledger.Roll(clock.Advance(TimeSpan.FromMinutes(1))));

        var view = ledger.View("t");
        Assert.Equal(0, view.GpuSeconds);
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 11, 0, 0, TimeSpan.Zero), view.PeriodStart);
    }

    [Fact]
    public void Count_FirstRecordAfterThePeriodEnded_CountsOnlyThatRecord()
    {
        var clock = new FakeClock(Morning);
        var ledger = Configured(Hourly, clock);
        ledger.Count(Usage("wf/0", 1, gpus: 1, seconds: 600, clock), clock.GetUtcNow());

        clock.Advance(TimeSpan.FromHours(2));
        ledger.Count(Usage("wf/1", 1, gpus: 1, seconds: 60, clock), clock.GetUtcNow());

        Assert.Equal(60, ledger.View("t").GpuSeconds, 6);
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 12, 0, 0, TimeSpan.Zero), ledger.View("t").PeriodStart);
    }

    [Fact]
    public void Count_AttemptThatFinishedInTheEndedPeriod_IsRememberedButNotChargedToThisOne()
    {
        var clock = new FakeClock(Morning);
        var ledger = Configured(Hourly, clock);
        var late = Usage("wf/0", 1, gpus: 1, seconds: 600, clock);

        clock.Advance(TimeSpan.FromHours(1));
        Assert.True(ledger.Count(late, clock.GetUtcNow()));
        Assert.False(ledger.Count(late, clock.GetUtcNow()));

        Assert.Equal(0, ledger.View("t").GpuSeconds);
    }

    [Fact]
    public void Configure_BudgetSetAfterUsageBeforeItsPeriod_CountsFromThePeriodStart()
    {
        var clock = new FakeClock(Morning);
        var ledger = new TenantLedger(new TenantRecord());
        ledger.Count(Usage("wf/0", 1, gpus: 1, seconds: 600, clock), clock.GetUtcNow());
        Assert.Equal(600, ledger.View("t").GpuSeconds, 6);

        clock.Advance(TimeSpan.FromHours(1));
        ledger.Configure(Hourly, clock.GetUtcNow());

        Assert.Equal(0, ledger.View("t").GpuSeconds);
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 11, 0, 0, TimeSpan.Zero), ledger.View("t").PeriodStart);
    }

    [Fact]
    public void Configure_ShorterPeriodWhoseStartIsBeforeTheLastAttempt_KeepsTheUsage()
    {
        var clock = new FakeClock(Morning);
        var ledger = Configured(new TenantSettings(BudgetGpuSeconds: 100, BudgetPeriodSeconds: 86400), clock);
        ledger.Count(Usage("wf/0", 1, gpus: 1, seconds: 60, clock), clock.GetUtcNow());

        ledger.Configure(Hourly, clock.Advance(TimeSpan.FromMinutes(5)));

        Assert.Equal(60, ledger.View("t").GpuSeconds, 6);
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 10, 0, 0, TimeSpan.Zero), ledger.View("t").PeriodStart);
    }

    [Fact]
    public void Count_MoreAttemptsThanItRemembers_ForgetsTheOldestKeysOnly()
    {
        var clock = new FakeClock(Morning);
        var record = new TenantRecord();
        var ledger = new TenantLedger(record);
        for (var i = 0; i <= TenantLedger.MaxCounted; i++)
        {
            ledger.Count(Usage($"wf/{i}", 1, gpus: 1, seconds: 1, clock), clock.GetUtcNow());
        }

        Assert.Equal(TenantLedger.MaxCounted, record.Counted.Count);
        Assert.Equal(TenantLedger.MaxRecent, record.Recent.Count);
        Assert.False(ledger.Count(Usage($"wf/{TenantLedger.MaxCounted}", 1, gpus: 1, seconds: 1, clock), clock.GetUtcNow()));
        Assert.True(ledger.Count(Usage("wf/0", 1, gpus: 1, seconds: 1, clock), clock.GetUtcNow()));
    }

    [Fact]
    public void Ledger_RebuiltFromItsRecord_StillKnowsWhatItCounted()
    {
        var clock = new FakeClock(Morning);
        var record = new TenantRecord();
        var usage = Usage("wf/0", 1, gpus: 1, seconds: 30, clock);
        new TenantLedger(record).Count(usage, clock.GetUtcNow());

        Assert.False(new TenantLedger(record).Count(usage, clock.GetUtcNow()));
        Assert.Equal(30, record.GpuSeconds, 6);
    }

    [Fact]
    public void Flag_SameAttemptTwice_KeepsOneFlag()
    {
        var ledger = new TenantLedger(new TenantRecord());
        var flag = new TenantOverBudget(new TaskRef("wf", 0), 1, "over", Morning);

        Assert.True(ledger.Flag(flag));
        Assert.False(ledger.Flag(flag with { At = Morning.AddSeconds(1) }));

        Assert.Single(ledger.View("t").OverBudget);
    }

    [Fact]
    public void Configure_NegativeQuota_ThrowsAndChangesNothing()
    {
        var ledger = Configured(Hourly, new FakeClock(Morning));

        Assert.Throws<TenantSettingsException>(() => ledger.Configure(new TenantSettings(MaxGpus: -1), Morning));
        Assert.Throws<TenantSettingsException>(() => ledger.Configure(new TenantSettings(Weight: 0), Morning));

        Assert.Equal(Hourly, ledger.View("t").Settings);
    }

    private static TenantLedger Configured(TenantSettings settings, FakeClock clock)
    {
        var ledger = new TenantLedger(new TenantRecord());
        ledger.Configure(settings, clock.GetUtcNow());
        return ledger;
    }

    /// <summary>An attempt that held <paramref name="gpus"/> for <paramref name="seconds"/> and finished now.</summary>
    private static TenantUsageRecord Usage(string task, int attempt, int gpus, double seconds, FakeClock clock)
    {
        var end = clock.GetUtcNow();
        return new TenantUsageRecord(TaskRef.Parse(task), attempt, "node-1", gpus, end.AddSeconds(-seconds), end);
    }
}
