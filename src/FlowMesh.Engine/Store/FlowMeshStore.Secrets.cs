using System.Data.Common;

namespace FlowMesh.Engine.Store;

public sealed partial class FlowMeshStore
{
    public SecretRow? GetSecret(string tenant, string name)
    {
        using var cmd = Command("SELECT tenant_id, name, key_id, nonce, ciphertext, updated_at FROM secrets WHERE tenant_id = @tenant AND name = @name");
        cmd.Add("@tenant", tenant);
        cmd.Add("@name", name);
        return ReadAll(cmd, ReadSecret).FirstOrDefault();
    }

    public IReadOnlyList<SecretRow> ListSecrets(string tenant)
    {
        using var cmd = Command("SELECT tenant_id, name, key_id, nonce, ciphertext, updated_at FROM secrets WHERE tenant_id = @tenant ORDER BY name");
        cmd.Add("@tenant", tenant);
        return ReadAll(cmd, ReadSecret);
    }

    private static SecretRow ReadSecret(DbDataReader r) => new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), Time(r, 5)!.Value);
}
