using System.Globalization;
using FlowMesh.Abstractions;

namespace FlowMesh.Runtime.Tenants;

/// <summary>
/// The placement grain's copy of what its tenants allow, read from their grains (on first sight and then periodically)
/// so a scheduling pass can answer from memory. A tenant whose settings are still being read waits, so a quota is never
/// exceeded by the first burst; one whose grain could not be read runs with the defaults until the next refresh.
/// </summary>
internal sealed class TenantCache
{
    private readonly Dictionary<string, TenantView> _views = new(StringComparer.Ordinal);
    private readonly HashSet<string> _loading = new(StringComparer.Ordinal);

    public IEnumerable<string> Known => _views.Keys;

    /// <summary>True when the tenant's settings are known; otherwise false, and true in <paramref name="startLoad"/> the first time (the caller reads them).</summary>
    public bool IsKnown(string tenant, out bool startLoad)
    {
        startLoad = false;
        if (_views.ContainsKey(tenant))
        {
            return true;
        }

        startLoad = _loading.Add(tenant);
        return false;
    }

    /// <summary>Keeps the newer of the view held and <paramref name="view"/>; true when what placement decides on changed.</summary>
    public bool Apply(TenantView view)
    {
        _loading.Remove(view.Tenant);
        if (_views.TryGetValue(view.Tenant, out var held) && held.Version > view.Version)
        {
            return false;
        }

        _views[view.Tenant] = view;
        return held is null || held.Settings != view.Settings || held.GpuSeconds != view.GpuSeconds || held.PeriodStart != view.PeriodStart;
    }

    /// <summary>The tenant's grain could not be read: it runs with the defaults (version -1: any view read later wins).</summary>
    public void Unreadable(string tenant)
    {
        if (_loading.Remove(tenant) && !_views.ContainsKey(tenant))
        {
            _views[tenant] = new TenantView(tenant, TenantSettings.Default, -1, DateTimeOffset.MinValue, 0, [], []);
        }
    }

    /// <summary>Counts a finished attempt at once, so a hard budget holds the next task before the tenant grain answers.</summary>
    public void AddUsage(string tenant, TenantUsageRecord usage)
    {
        if (_views.TryGetValue(tenant, out var v) && usage.FinishedAt >= v.PeriodStart)
        {
            _views[tenant] = v with { GpuSeconds = v.GpuSeconds + usage.GpuSeconds };
        }
    }

    /// <summary>Drops tenants with nothing queued or placed: they are read afresh when they come back.</summary>
    public void Retain(IReadOnlySet<string> active)
    {
        foreach (var tenant in _views.Keys.Where(t => !active.Contains(t)).ToList())
        {
            _views.Remove(tenant);
        }
    }

    public double WeightOf(string tenant) => _views.TryGetValue(tenant, out var v) ? v.Settings.Weight : 1;

    public string? TenantHold(string tenant, int runningTasks) =>
        _views.TryGetValue(tenant, out var v) && v.Settings.MaxRunningTasks > 0 && runningTasks >= v.Settings.MaxRunningTasks
            ? string.Create(CultureInfo.InvariantCulture, $"tenant quota: {runningTasks} of {v.Settings.MaxRunningTasks} running tasks in use")
            : null;

    /// <summary>Why a GPU task may not start now: its tenant's GPUs are in use, or its hard budget is spent.</summary>
    public string? Hold(string tenant, int gpus, int gpusHeld, DateTimeOffset now)
    {
        if (gpus == 0 || !_views.TryGetValue(tenant, out var v))
        {
            return null;
        }

        var q = v.Settings;
        if (q.MaxGpus > 0 && gpusHeld + gpus > q.MaxGpus)
        {
            return string.Create(CultureInfo.InvariantCulture, $"tenant quota: {gpusHeld} of {q.MaxGpus} GPUs in use, this task asks for {gpus}");
        }

        return q.BudgetHard ? Spent(v, now) : null;
    }

    public string? NeverAllowed(string tenant, int gpus) =>
        _views.TryGetValue(tenant, out var v) && v.Settings.MaxGpus > 0 && gpus > v.Settings.MaxGpus
            ? string.Create(CultureInfo.InvariantCulture, $"asks for {gpus} GPU(s), tenant {tenant} may use at most {v.Settings.MaxGpus}")
            : null;

    /// <summary>The reason to flag a GPU attempt placed now: its tenant is over a soft budget; null otherwise.</summary>
    public string? OverSoftBudget(string tenant, DateTimeOffset now) =>
        _views.TryGetValue(tenant, out var v) && !v.Settings.BudgetHard ? Spent(v, now) : null;

    private static string? Spent(TenantView v, DateTimeOffset now) => TenantBudget.Spent(v.Tenant, v.Settings, v.GpuSeconds, v.PeriodStart, now);
}
