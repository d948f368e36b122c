using System.Globalization;
using System.Text.Json.Nodes;
using FlowMesh.Engine.Actors;
using FlowMesh.Abstractions;
using FlowMesh.Engine.Store;
using FlowMesh.Workflows;

namespace FlowMesh.Engine.Runtime;

public sealed partial class FlowMeshEngine
{
    private readonly Dictionary<string, TenantRow?> _tenants = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (long Period, double GpuSeconds)> _budgetUsed = new(StringComparer.Ordinal);
    private readonly List<UsageRow> _pendingUsage = [];

    private TenantRow? TenantOf(string tenant)
    {
        if (!_tenants.TryGetValue(tenant, out var row))
        {
            // Quotas change rarely; the first read is cached for the life of the engine.
            _tenants[tenant] = row = Store.GetTenant(tenant);
        }

        return row;
    }

    private string? QuotaNeverFits(string tenant, ResourceRequest r)
    {
        var gpus = r.Gpu?.Count ?? 0;
        return TenantOf(tenant) is { MaxGpus: > 0 } q && gpus > q.MaxGpus
            ? $"asks for {gpus} GPU(s), tenant {tenant} may use at most {q.MaxGpus}"
            : null;
    }

    /// <summary>Why none of the tenant's tasks may start now: its running-task quota is in use.</summary>
    private string? TenantHold(string tenant)
    {
        var load = _scheduler.UsageOf(tenant);
        return TenantOf(tenant) is { MaxRunningTasks: > 0 } q && load.Tasks >= q.MaxRunningTasks
            ? $"tenant quota: {load.Tasks} of {q.MaxRunningTasks} running tasks in use"
            : null;
    }

    /// <summary>Why a task of the tenant may not start now: its GPU quota is in use, or its hard GPU budget is spent.</summary>
    private string? Hold(string tenant, ResourceRequest r)
    {
        if (TenantOf(tenant) is not { } q || r.GpuCount == 0)
        {
            return null;
        }

        var load = _scheduler.UsageOf(tenant);
        if (q.MaxGpus > 0 && load.Gpus + r.GpuCount > q.MaxGpus)
        {
            return $"tenant quota: {load.Gpus} of {q.MaxGpus} GPUs in use, this task asks for {r.GpuCount}";
        }

        return q.BudgetHard && OverBudget(q) is { } spent ? spent : null;
    }

    /// <summary>A reason when the tenant's GPU-seconds this period have reached its budget; null within it or without one.</summary>
    private string? OverBudget(TenantRow q)
    {
        if (q.BudgetGpuSeconds <= 0 || q.BudgetPeriodSeconds <= 0)
        {
            return null;
        }

        var now = _time.GetUtcNow();
        var period = now.ToUnixTimeSeconds() / q.BudgetPeriodSeconds;
        if (!_budgetUsed.TryGetValue(q.Id, out var used) || used.Period != period)
        {
            used = (period, Store.GpuSecondsSince(q.Id, DateTimeOffset.FromUnixTimeSeconds(period * q.BudgetPeriodSeconds)));
            _budgetUsed[q.Id] = used;
        }

        if (used.GpuSeconds < q.BudgetGpuSeconds)
        {
            return null;
        }

        var resets = DateTimeOffset.FromUnixTimeSeconds((period + 1) * q.BudgetPeriodSeconds);
        return string.Create(CultureInfo.InvariantCulture,
            $"budget: tenant {q.Id} used {used.GpuSeconds:0.#} of {q.BudgetGpuSeconds:0.#} GPU-seconds this period ({(q.BudgetHard ? "hard" : "soft")} limit; resets {resets:yyyy-MM-dd HH:mm} UTC)");
    }

    /// <summary>A soft budget lets GPU work run but flags it: one event per task attempt placed over budget.</summary>
    private void FlagSoftBudget(WorkflowActor wf, TaskActor t)
    {
        if (t.Resources.GpuCount > 0 && TenantOf(wf.Tenant) is { BudgetHard: false } q && OverBudget(q) is { } over)
        {
            Event(wf, "task.over_budget", t, new JsonObject { ["reason"] = over });
        }
    }

    private void NoteWaiting(StoreTransaction tx, WorkflowActor wf, TaskActor t, string reason)
    {
        if (t.Waiting == reason)
        {
            return;
        }

        t.Waiting = reason;
        tx.SetWaiting(wf.Id, t.Index, reason);
        Event(wf, "task.waiting", t, new JsonObject { ["reason"] = reason });
    }

    private void RecordUsage(StoreTransaction tx, WorkflowActor wf, TaskActor t, TaskState ending, int gpus)
    {
        var end = _time.GetUtcNow();
        var start = t.StartedAt ?? end;
        var duration = end - start;
        var row = new UsageRow(wf.Id, t.Name, t.Attempt, wf.Tenant, t.NodeId ?? _node!.Id, ending.ToString(), gpus, start, end,
            (long)duration.TotalMilliseconds, gpus * duration.TotalSeconds);
        tx.InsertUsage(row);
        _pendingUsage.Add(row);
        if (_budgetUsed.TryGetValue(wf.Tenant, out var used) && TenantOf(wf.Tenant) is { BudgetPeriodSeconds: > 0 } q && used.Period == end.ToUnixTimeSeconds() / q.BudgetPeriodSeconds)
        {
            _budgetUsed[wf.Tenant] = (used.Period, used.GpuSeconds + row.GpuSeconds);
        }
    }
}
