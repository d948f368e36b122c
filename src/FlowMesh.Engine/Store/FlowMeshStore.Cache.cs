namespace FlowMesh.Engine.Store;

public sealed partial class FlowMeshStore
{
    /// <summary>A tenant's cached result under <paramref name="key"/>, with where and when it was made.</summary>
    public (string Result, string WorkflowId, string Task, DateTimeOffset CreatedAt)? GetCached(string tenant, string key)
    {
        using var cmd = Command("SELECT result, workflow_id, task, created_at FROM task_cache WHERE tenant_id = @tenant AND key = @key");
        cmd.Add("@tenant", tenant);
        cmd.Add("@key", key);
        using var r = cmd.ExecuteReader();
        return r.Read() ? (r.GetString(0), r.GetString(1), r.GetString(2), Time(r, 3)!.Value) : null;
    }
}
