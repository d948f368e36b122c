using System.Text.Json.Nodes;
using FlowMesh.Engine.Actors;
using FlowMesh.Engine.States;
using FlowMesh.Engine.Store;
using FlowMesh.Workflows;

namespace FlowMesh.Engine.Runtime;

public sealed partial class FlowMeshEngine
{
    private readonly Dictionary<string, TenantRow?> _tenants = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (int Tasks, int Gpus)> _tenantLoad = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<(WorkflowActor Workflow, TaskActor Task)>> _parked = new(StringComparer.Ordinal);
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

    private string? OverQuota(string tenant, ResourceRequest r)
    {
        if (TenantOf(tenant) is not { } q)
        {
            return null;
        }

        var load = _tenantLoad.GetValueOrDefault(tenant);
        if (q.MaxRunningTasks > 0 && load.Tasks >= q.MaxRunningTasks)
        {
            return $"tenant quota: {load.Tasks} of {q.MaxRunningTasks} running tasks in use";
        }

        var gpus = r.Gpu?.Count ?? 0;
        return q.MaxGpus > 0 && gpus > 0 && load.Gpus + gpus > q.MaxGpus
            ? $"tenant quota: {load.Gpus} of {q.MaxGpus} GPUs in use, this task asks for {gpus}"
            : null;
    }

    private void Charge(string tenant, ResourceRequest r, int sign)
    {
        var load = _tenantLoad.GetValueOrDefault(tenant);
        _tenantLoad[tenant] = (load.Tasks + sign, load.Gpus + (sign * (r.Gpu?.Count ?? 0)));
    }

    /// <summary>Sets a task aside while its tenant is at quota, so it does not block other tenants' work behind it.</summary>
    private void Park(StoreTransaction tx, WorkflowActor wf, TaskActor t, string reason)
    {
        if (!_parked.TryGetValue(wf.Tenant, out var list))
        {
            _parked[wf.Tenant] = list = [];
        }

        list.Add((wf, t));
        NoteWaiting(tx, wf, t, reason);
    }

    /// <summary>Puts a tenant's parked tasks back at the head of the queue, in the order they were parked.</summary>
    private void Unpark(string tenant)
    {
        if (!_parked.Remove(tenant, out var list))
        {
            return;
        }

        for (var i = list.Count - 1; i >= 0; i--)
        {
            _readyQueue.AddFirst(list[i]);
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
    }
}
