using System.Data.Common;

namespace FlowMesh.Engine.Store;

public sealed partial class FlowMeshStore
{
    public TenantRow? GetTenant(string id)
    {
        using var cmd = Command($"SELECT {TenantColumns} FROM tenants WHERE id = @id");
        cmd.Add("@id", id);
        using var r = cmd.ExecuteReader();
        return r.Read() ? ReadTenant(r) : null;
    }

    public IReadOnlyList<TenantRow> ListTenants()
    {
        using var cmd = Command($"SELECT {TenantColumns} FROM tenants ORDER BY id");
        return ReadAll(cmd, ReadTenant);
    }

    /// <summary>GPU-seconds of the tenant's attempts that finished at or after <paramref name="since"/>: what its budget counts.</summary>
    public double GpuSecondsSince(string tenant, DateTimeOffset since)
    {
        using var cmd = Command("SELECT COALESCE(SUM(gpu_seconds), 0) FROM usage WHERE tenant_id = @tenant AND finished_at >= @since");
        cmd.Add("@tenant", tenant);
        cmd.Add("@since", StoreTransaction.Iso(since));
        return Convert.ToDouble(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private const string TenantColumns = "id, created_at, is_system, max_running_tasks, max_gpus, weight, budget_gpu_seconds, budget_period_seconds, budget_hard";

    private static TenantRow ReadTenant(DbDataReader r) =>
        new(r.GetString(0), Time(r, 1)!.Value, I64(r, 2) != 0, I32(r, 3), I32(r, 4), Convert.ToDouble(r.GetValue(5), System.Globalization.CultureInfo.InvariantCulture),
            Convert.ToDouble(r.GetValue(6), System.Globalization.CultureInfo.InvariantCulture), I64(r, 7), I64(r, 8) != 0);

    public ApiKeyRow? GetApiKey(string id)
    {
        using var cmd = Command("SELECT id, tenant_id, name, role, hash, created_at, revoked_at FROM api_keys WHERE id = @id");
        cmd.Add("@id", id);
        return ReadKeys(cmd).FirstOrDefault();
    }

    /// <summary>A key and whether its tenant is the system tenant, in one round trip: what every request's authentication needs.</summary>
    public (ApiKeyRow Key, bool SystemTenant)? GetApiKeyAndTenant(string id)
    {
        using var cmd = Command("SELECT k.id, k.tenant_id, k.name, k.role, k.hash, k.created_at, k.revoked_at, t.is_system FROM api_keys k JOIN tenants t ON t.id = k.tenant_id WHERE k.id = @id");
        cmd.Add("@id", id);
        using var r = cmd.ExecuteReader();
        return r.Read()
            ? (new ApiKeyRow(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), Time(r, 5)!.Value, Time(r, 6)), I64(r, 7) != 0)
            : null;
    }

    public IReadOnlyList<ApiKeyRow> ListApiKeys(string? tenantId)
    {
        using var cmd = Command("SELECT id, tenant_id, name, role, hash, created_at, revoked_at FROM api_keys"
            + (tenantId is null ? string.Empty : " WHERE tenant_id = @tenant") + " ORDER BY created_at, id");
        if (tenantId is not null)
        {
            cmd.Add("@tenant", tenantId);
        }

        return ReadKeys(cmd);
    }

    public IReadOnlyList<UsageRow> ListUsage(string tenantId, int limit)
    {
        using var cmd = Command("SELECT workflow_id, task, attempt, tenant_id, node_id, state, gpus, started_at, finished_at, duration_ms, gpu_seconds FROM usage WHERE tenant_id = @tenant ORDER BY finished_at DESC LIMIT @limit");
        cmd.Add("@tenant", tenantId);
        cmd.Add("@limit", limit);
        return ReadAll(cmd, r => new UsageRow(r.GetString(0), r.GetString(1), I32(r, 2), r.GetString(3), r.GetString(4), r.GetString(5), I32(r, 6),
                Time(r, 7)!.Value, Time(r, 8)!.Value, I64(r, 9), r.GetDouble(10)));
    }

    /// <summary>
    /// The stored value of a setting, storing <paramref name="value"/> first if there is none: the first writer wins, so
    /// replicas that start together agree (used for the generated signal-signing key).
    /// </summary>
    public string GetOrAddMeta(string key, string value)
    {
        using (var insert = Command("INSERT INTO meta(key, value) VALUES (@key, @value) ON CONFLICT(key) DO NOTHING"))
        {
            insert.Add("@key", key);
            insert.Add("@value", value);
            insert.ExecuteNonQuery();
        }

        using var select = Command("SELECT value FROM meta WHERE key = @key");
        select.Add("@key", key);
        return (string)select.ExecuteScalar()!;
    }

    private static IReadOnlyList<ApiKeyRow> ReadKeys(DbCommand cmd) => ReadAll(cmd, r =>
        new ApiKeyRow(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), Time(r, 5)!.Value, Time(r, 6)));
}
