namespace FlowMesh.Engine.Store;

public sealed partial class StoreTransaction
{
    /// <summary>
    /// Records why a ready task is not placed yet. Not version-checked: it is a note for people, not state, and the
    /// next state change clears it.
    /// </summary>
    public void SetWaiting(string workflowId, int index, string? reason)
    {
        using var cmd = Command("UPDATE tasks SET waiting = $reason WHERE workflow_id = $wf AND idx = $idx");
        cmd.Parameters.AddWithValue("$reason", (object?)reason ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$wf", workflowId);
        cmd.Parameters.AddWithValue("$idx", index);
        cmd.ExecuteNonQuery();
        Writes++;
    }

    public void InsertUsage(UsageRow u)
    {
        using var cmd = Command("INSERT OR REPLACE INTO usage(workflow_id, task, attempt, tenant_id, node_id, state, gpus, started_at, finished_at, duration_ms, gpu_seconds) VALUES ($wf, $task, $attempt, $tenant, $node, $state, $gpus, $start, $end, $ms, $gs)");
        cmd.Parameters.AddWithValue("$wf", u.WorkflowId);
        cmd.Parameters.AddWithValue("$task", u.Task);
        cmd.Parameters.AddWithValue("$attempt", u.Attempt);
        cmd.Parameters.AddWithValue("$tenant", u.TenantId);
        cmd.Parameters.AddWithValue("$node", u.NodeId);
        cmd.Parameters.AddWithValue("$state", u.State);
        cmd.Parameters.AddWithValue("$gpus", u.Gpus);
        cmd.Parameters.AddWithValue("$start", Iso(u.StartedAt));
        cmd.Parameters.AddWithValue("$end", Iso(u.FinishedAt));
        cmd.Parameters.AddWithValue("$ms", u.DurationMs);
        cmd.Parameters.AddWithValue("$gs", u.GpuSeconds);
        cmd.ExecuteNonQuery();
        Writes++;
    }

    /// <summary>Creates a tenant; false when the id is taken.</summary>
    public bool InsertTenant(TenantRow t)
    {
        using var cmd = Command("INSERT INTO tenants(id, created_at, is_system, max_running_tasks, max_gpus) VALUES ($id, $at, $sys, $tasks, $gpus) ON CONFLICT(id) DO NOTHING");
        cmd.Parameters.AddWithValue("$id", t.Id);
        cmd.Parameters.AddWithValue("$at", Iso(t.CreatedAt));
        cmd.Parameters.AddWithValue("$sys", t.IsSystem ? 1 : 0);
        cmd.Parameters.AddWithValue("$tasks", t.MaxRunningTasks);
        cmd.Parameters.AddWithValue("$gpus", t.MaxGpus);
        Writes++;
        return cmd.ExecuteNonQuery() == 1;
    }

    public void InsertApiKey(ApiKeyRow k)
    {
        using var cmd = Command("INSERT INTO api_keys(id, tenant_id, name, role, hash, created_at, revoked_at) VALUES ($id, $tenant, $name, $role, $hash, $at, NULL)");
        cmd.Parameters.AddWithValue("$id", k.Id);
        cmd.Parameters.AddWithValue("$tenant", k.TenantId);
        cmd.Parameters.AddWithValue("$name", k.Name);
        cmd.Parameters.AddWithValue("$role", k.Role);
        cmd.Parameters.AddWithValue("$hash", k.Hash);
        cmd.Parameters.AddWithValue("$at", Iso(k.CreatedAt));
        cmd.ExecuteNonQuery();
        Writes++;
    }

    /// <summary>Revokes a key; false when it does not exist or was already revoked.</summary>
    public bool RevokeApiKey(string id, DateTimeOffset at)
    {
        using var cmd = Command("UPDATE api_keys SET revoked_at = $at WHERE id = $id AND revoked_at IS NULL");
        cmd.Parameters.AddWithValue("$id", id);
        cmd.Parameters.AddWithValue("$at", Iso(at));
        Writes++;
        return cmd.ExecuteNonQuery() == 1;
    }
}
