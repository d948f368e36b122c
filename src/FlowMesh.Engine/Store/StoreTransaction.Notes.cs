namespace FlowMesh.Engine.Store;

public sealed partial class StoreTransaction
{
    /// <summary>
    /// Records why a ready task is not placed yet. Not version-checked: it is a note for people, not state, and the
    /// next state change clears it.
    /// </summary>
    public void SetWaiting(string workflowId, int index, string? reason)
    {
        using var cmd = Command("UPDATE tasks SET waiting = @reason WHERE workflow_id = @wf AND idx = @idx");
        cmd.Add("@reason", (object?)reason ?? DBNull.Value);
        cmd.Add("@wf", workflowId);
        cmd.Add("@idx", index);
        Write(cmd);
    }

    public void InsertUsage(UsageRow u)
    {
        using var cmd = Command("INSERT INTO usage(workflow_id, task, attempt, tenant_id, node_id, state, gpus, started_at, finished_at, duration_ms, gpu_seconds) VALUES (@wf, @task, @attempt, @tenant, @node, @state, @gpus, @start, @end, @ms, @gs) ON CONFLICT(workflow_id, task, attempt) DO UPDATE SET tenant_id = excluded.tenant_id, node_id = excluded.node_id, state = excluded.state, gpus = excluded.gpus, started_at = excluded.started_at, finished_at = excluded.finished_at, duration_ms = excluded.duration_ms, gpu_seconds = excluded.gpu_seconds");
        cmd.Add("@wf", u.WorkflowId);
        cmd.Add("@task", u.Task);
        cmd.Add("@attempt", u.Attempt);
        cmd.Add("@tenant", u.TenantId);
        cmd.Add("@node", u.NodeId);
        cmd.Add("@state", u.State);
        cmd.Add("@gpus", u.Gpus);
        cmd.Add("@start", Iso(u.StartedAt));
        cmd.Add("@end", Iso(u.FinishedAt));
        cmd.Add("@ms", u.DurationMs);
        cmd.Add("@gs", u.GpuSeconds);
        Write(cmd);
    }

    /// <summary>Creates a tenant; false when the id is taken.</summary>
    public bool InsertTenant(TenantRow t)
    {
        using var cmd = Command("INSERT INTO tenants(id, created_at, is_system, max_running_tasks, max_gpus, weight, budget_gpu_seconds, budget_period_seconds, budget_hard) VALUES (@id, @at, @sys, @tasks, @gpus, @weight, @budget, @period, @hard) ON CONFLICT(id) DO NOTHING");
        cmd.Add("@weight", t.Weight);
        cmd.Add("@budget", t.BudgetGpuSeconds);
        cmd.Add("@period", t.BudgetPeriodSeconds);
        cmd.Add("@hard", t.BudgetHard ? 1 : 0);
        cmd.Add("@id", t.Id);
        cmd.Add("@at", Iso(t.CreatedAt));
        cmd.Add("@sys", t.IsSystem ? 1 : 0);
        cmd.Add("@tasks", t.MaxRunningTasks);
        cmd.Add("@gpus", t.MaxGpus);
        Flush();
        Writes++;
        return cmd.ExecuteNonQuery() == 1;
    }

    public void InsertApiKey(ApiKeyRow k)
    {
        using var cmd = Command("INSERT INTO api_keys(id, tenant_id, name, role, hash, created_at, revoked_at) VALUES (@id, @tenant, @name, @role, @hash, @at, NULL)");
        cmd.Add("@id", k.Id);
        cmd.Add("@tenant", k.TenantId);
        cmd.Add("@name", k.Name);
        cmd.Add("@role", k.Role);
        cmd.Add("@hash", k.Hash);
        cmd.Add("@at", Iso(k.CreatedAt));
        Write(cmd);
    }

    /// <summary>Revokes a key; false when it does not exist or was already revoked.</summary>
    public bool RevokeApiKey(string id, DateTimeOffset at)
    {
        using var cmd = Command("UPDATE api_keys SET revoked_at = @at WHERE id = @id AND revoked_at IS NULL");
        cmd.Add("@id", id);
        cmd.Add("@at", Iso(at));
        Flush();
        Writes++;
        return cmd.ExecuteNonQuery() == 1;
    }
}
