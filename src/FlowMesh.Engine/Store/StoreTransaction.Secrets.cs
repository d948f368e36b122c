namespace FlowMesh.Engine.Store;

public sealed partial class StoreTransaction
{
    public void PutSecret(SecretRow s)
    {
        using var cmd = Command("INSERT INTO secrets(tenant_id, name, key_id, nonce, ciphertext, updated_at) VALUES (@tenant, @name, @key, @nonce, @ct, @at) ON CONFLICT(tenant_id, name) DO UPDATE SET key_id = excluded.key_id, nonce = excluded.nonce, ciphertext = excluded.ciphertext, updated_at = excluded.updated_at");
        cmd.Add("@tenant", s.TenantId);
        cmd.Add("@name", s.Name);
        cmd.Add("@key", s.KeyId);
        cmd.Add("@nonce", s.Nonce);
        cmd.Add("@ct", s.Ciphertext);
        cmd.Add("@at", Iso(s.UpdatedAt));
        Write(cmd);
    }

    /// <summary>Deletes a secret; false when there was none.</summary>
    public bool DeleteSecret(string tenant, string name)
    {
        using var cmd = Command("DELETE FROM secrets WHERE tenant_id = @tenant AND name = @name");
        cmd.Add("@tenant", tenant);
        cmd.Add("@name", name);
        Flush();
        Writes++;
        return cmd.ExecuteNonQuery() == 1;
    }
}
