using FlowMesh.Abstractions;
using FlowMesh.Runtime.Tenants;

namespace FlowMesh.Runtime.Tests.Tenants;

/// <summary>What the placement grain answers the scheduler from its copy of the tenants: the engine's rules and messages.</summary>
public sealed class TenantCacheTests
{
    private static readonly DateTimeOffset Noon = new(2026, 3, 2, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void IsKnown_NewTenant_AsksToLoadOnceAndHoldsUntilLoaded()
    {
        var cache = new TenantCache();

        Assert.False(cache.IsKnown("t", out var first));
        Assert.False(cache.IsKnown("t", out var second));
        Assert.True(first);
        Assert.False(second);

        cache.Apply(View("t", new TenantSettings(Weight: 3), version: 1, used: 0));
        Assert.True(cache.IsKnown("t", out _));
        Assert.Equal(3, cache.WeightOf("t"));
    }

    [Fact]
    public void Unreadable_TenantGrainFailed_RunsWithDefaultsUntilAViewArrives()
    {
        var cache = new TenantCache();
        cache.IsKnown("t", out _);

        cache.Unreadable("t");

        Assert.True(cache.IsKnown("t", out _));
        Assert.Null(cache.TenantHold("t", 1000));
        Assert.True(cache.Apply(View("t", new TenantSettings(MaxRunningTasks: 1), version: 0, used: 0)));
        Assert.NotNull(cache.TenantHold("t", 1));
    }

    [Fact]
    public void Apply_OlderVersion_KeepsTheNewer()
    {
        var cache = new TenantCache();
        cache.Apply(View("t", new TenantSettings(Weight: 2), version: 5, used: 0));

        Assert.False(cache.Apply(View("t", new TenantSettings(Weight: 9), version: 4, used: 0)));

        Assert.Equal(2, cache.WeightOf("t"));
    }

    [Fact]
    public void TenantHold_QuotaInUse_SaysHowMany()
    {
        var cache = Cache(new TenantSettings(MaxRunningTasks: 2), used: 0);

        Assert.Null(cache.TenantHold("t", 1));
        Assert.Equal("tenant quota: 2 of 2 running tasks in use", cache.TenantHold("t", 2));
    }

    [Fact]
    public void Hold_GpusInUse_SaysHowManyAndWhatTheTaskAsks()
    {
        var cache = Cache(new TenantSettings(MaxGpus: 2), used: 0);

        Assert.Null(cache.Hold("t", gpus: 1, gpusHeld: 1, Noon));
        Assert.Null(cache.Hold("t", gpus: 0, gpusHeld: 2, Noon));
        Assert.Equal("tenant quota: 2 of 2 GPUs in use, this task asks for 1", cache.Hold("t", gpus: 1, gpusHeld: 2, Noon));
    }

    [Fact]
    public void Hold_HardBudgetSpent_HoldsGpuTasksWithTheReason()
    {
        var cache = Cache(new TenantSettings(BudgetGpuSeconds: 100, BudgetPeriodSeconds: 86400), used: 3600);

        Assert.Equal("budget: tenant t used 3600 of 100 GPU-seconds this period (hard limit; resets 2026-03-03 00:00 UTC)", cache.Hold("t", 1, 0, Noon));
        Assert.Null(cache.Hold("t", 0, 0, Noon));
        Assert.Null(cache.OverSoftBudget("t", Noon));
    }

    [Fact]
    public void Hold_HardBudgetSpentInThePeriodThatEnded_DoesNotHold()
    {
        var cache = Cache(new TenantSettings(BudgetGpuSeconds: 100, BudgetPeriodSeconds: 86400), used: 3600);

        Assert.Null(cache.Hold("t", 1, 0, Noon.AddDays(1)));
    }

    [Fact]
    public void AddUsage_ReachesTheHardBudget_HoldsBeforeTheTenantGrainAnswers()
    {
        var cache = Cache(new TenantSettings(BudgetGpuSeconds: 100, BudgetPeriodSeconds: 86400), used: 50);

        cache.AddUsage("t", new TenantUsageRecord(new TaskRef("wf", 0), 1, "n", 1, Noon.AddSeconds(-60), Noon));

        Assert.StartsWith("budget: tenant t used 110 of 100 GPU-seconds", cache.Hold("t", 1, 0, Noon), StringComparison.Ordinal);
    }

    [Fact]
    public void OverSoftBudget_SoftBudgetSpent_GivesTheReasonButDoesNotHold()
    {
        var cache = Cache(new TenantSettings(BudgetGpuSeconds: 100, BudgetPeriodSeconds: 86400, BudgetHard: false), used: 3600);

        Assert.Null(cache.Hold("t", 1, 0, Noon));
        Assert.Equal("budget: tenant t used 3600 of 100 GPU-seconds this period (soft limit; resets 2026-03-03 00:00 UTC)", cache.OverSoftBudget("t", Noon));
    }

    [Fact]
    public void NeverAllowed_MoreGpusThanTheQuota_SaysSo()
    {
        var cache = Cache(new TenantSettings(MaxGpus: 1), used: 0);

        Assert.Null(cache.NeverAllowed("t", 1));
        Assert.Equal("asks for 2 GPU(s), tenant t may use at most 1", cache.NeverAllowed("t", 2));
    }

    [Fact]
    public void Retain_TenantWithoutWork_IsReadAfreshWhenItReturns()
    {
        var cache = Cache(new TenantSettings(Weight: 4), used: 0);

        cache.Retain(new HashSet<string>(StringComparer.Ordinal));

        Assert.False(cache.IsKnown("t", out var load));
        Assert.True(load);
        Assert.Equal(1, cache.WeightOf("t"));
    }

    private static TenantCache Cache(TenantSettings settings, double used)
    {
        var cache = new TenantCache();
        cache.Apply(View("t", settings, version: 1, used));
        return cache;
    }

    private static TenantView View(string tenant, TenantSettings settings, long version, double used) =>
        new(tenant, settings, version, TenantBudget.PeriodStart(Noon, settings.BudgetPeriodSeconds), used, [], []);
}
