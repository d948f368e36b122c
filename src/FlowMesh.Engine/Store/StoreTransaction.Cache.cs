namespace FlowMesh.Engine.Store;

public sealed partial class StoreTransaction
{
    public void PutCached(string tenant, string key, string result, string workflowId, string task, DateTimeOffset at)
    {
        using var cmd = Command("INSERT INTO task_cache(tenant_id, key, result, workflow_id, task, created_at) VALUES (@tenant, @key, @result, @wf, @task, @at) ON CONFLICT(tenant_id, key) DO UPDATE SET result = excluded.result, workflow_id = excluded.workflow_id, task = excluded.task, created_at = excluded.created_at");
        cmd.Add("@tenant", tenant);
        cmd.Add("@key", key);
        cmd.Add("@result", result);
        cmd.Add("@wf", workflowId);
        cmd.Add("@task", task);
        cmd.Add("@at", Iso(at));
        Write(cmd);
    }
}
