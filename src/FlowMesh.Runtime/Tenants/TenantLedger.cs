using FlowMesh.Abstractions;

namespace FlowMesh.Runtime.Tenants;

/// <summary>
/// The rules of a tenant's state, apart from the grain so they can be tested with a clock of their own: usage counts
/// toward the budget period in which an attempt finished, a new period starts from nothing, and each (task, attempt)
/// counts once however often it is sent.
/// </summary>
internal sealed class TenantLedger
{
    /// <summary>How many attempt keys are remembered: far more than can be re-sent while an attempt's release retries.</summary>
    public const int MaxCounted = 4096;

    public const int MaxRecent = 50;

    private readonly TenantRecord _record;
    private readonly HashSet<string> _counted;
    private readonly HashSet<string> _flagged;

    public TenantLedger(TenantRecord record)
    {
        _record = record;
        _counted = new HashSet<string>(record.Counted, StringComparer.Ordinal);
        _flagged = new HashSet<string>(record.OverBudget.Select(f => Key(f.Task, f.Attempt)), StringComparer.Ordinal);
    }

    public TenantRecord Record => _record;

    /// <summary>Starts a new period if <paramref name="now"/> is past the current one's end; true when it did.</summary>
    public bool Roll(DateTimeOffset now)
    {
        var start = TenantBudget.PeriodStart(now, _record.Settings.BudgetPeriodSeconds);
        if (start <= _record.PeriodStart)
        {
            // Same period; or a longer period was configured, whose start lies before what was counted: usage before
            // the old start is not known any more, so the new period counts from there.
            return false;
        }

        // An attempt counted already may have finished in the new period (a silo's clock ahead, or a shorter period
        // just configured): then what was counted is kept rather than forgiven.
        if (_record.LastFinishedAt is not { } last || last < start)
        {
            _record.GpuSeconds = 0;
        }

        _record.PeriodStart = start;
        _record.Version++;
        return true;
    }

    public void Configure(TenantSettings settings, DateTimeOffset now)
    {
        settings.Validate();
        _record.Settings = settings;
        _record.Version++;
        Roll(now);
    }

    /// <summary>Counts a finished attempt; false (and nothing changes) when this (task, attempt) was counted already.</summary>
    public bool Count(TenantUsageRecord usage, DateTimeOffset now)
    {
        Roll(now);
        var key = usage.Key;
        if (!_counted.Add(key))
        {
            return false;
        }

        _record.Counted.Add(key);
        if (_record.Counted.Count > MaxCounted)
        {
            _counted.Remove(_record.Counted[0]);
            _record.Counted.RemoveAt(0);
        }

        // An attempt that finished in a period already over (a record re-sent late) is that period's, not this one's.
        if (usage.FinishedAt >= _record.PeriodStart)
        {
            _record.GpuSeconds += usage.GpuSeconds;
            if (_record.LastFinishedAt is not { } last || usage.FinishedAt > last)
            {
                _record.LastFinishedAt = usage.FinishedAt;
            }
        }

        Append(_record.Recent, usage);
        _record.Version++;
        return true;
    }

    /// <summary>Keeps a soft-budget flag; false when this (task, attempt) was flagged already.</summary>
    public bool Flag(TenantOverBudget flag)
    {
        if (!_flagged.Add(Key(flag.Task, flag.Attempt)))
        {
            return false;
        }

        if (Append(_record.OverBudget, flag) is { } dropped)
        {
            _flagged.Remove(Key(dropped.Task, dropped.Attempt));
        }

        _record.Version++;
        return true;
    }

    public TenantView View(string tenant) =>
        new(tenant, _record.Settings, _record.Version, _record.PeriodStart, _record.GpuSeconds, [.. _record.Recent], [.. _record.OverBudget]);

    private static string Key(TaskRef task, int attempt) => new TenantUsageRecord(task, attempt, string.Empty, 0, default, default).Key;

    private static T? Append<T>(List<T> list, T item)
        where T : class
    {
        list.Add(item);
        if (list.Count <= MaxRecent)
        {
            return null;
        }

        var dropped = list[0];
        list.RemoveAt(0);
        return dropped;
    }
}
