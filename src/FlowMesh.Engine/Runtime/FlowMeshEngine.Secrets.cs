using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using FlowMesh.Engine.Actors;
using FlowMesh.Engine.Executors;

namespace FlowMesh.Engine.Runtime;

/// <summary>
/// Tenant secrets: a task's <c>secrets: {ENV_VAR: secret-name}</c> are decrypted when it is dispatched and given to
/// its executor as environment variables (in the request only: never in the stored spec). The request also carries the
/// values to redact: the node replaces them in every log line as it is buffered and in the result and error it writes
/// and reports (<see cref="Secrets.SecretRedaction"/>), so what reaches the engine is already clean.
/// </summary>
public sealed partial class FlowMeshEngine
{
    /// <summary>Puts the task's secrets into its env; returns the values to redact (longest first).</summary>
    private string[] AddSecrets(WorkflowActor wf, TaskActor t, JsonObject spec)
    {
        if (spec["secrets"] is not JsonObject wanted || wanted.Count == 0)
        {
            return [];
        }

        if (_secretBox is null)
        {
            throw new ExecutionException("this task uses secrets, but no secret keys are configured (FLOWMESH_SECRET_KEYS)");
        }

        var env = spec["env"] as JsonObject ?? [];
        var values = new List<string>();
        foreach (var (variable, nameNode) in wanted)
        {
            var name = nameNode?.GetValue<string>() ?? string.Empty;
            var row = Store.GetSecret(wf.Tenant, name) ?? throw new ExecutionException($"secret '{name}' (for {variable}) is not set for tenant {wf.Tenant}");
            string value;
            try
            {
                value = _secretBox.Decrypt(row.TenantId, row.Name, row.KeyId, row.Nonce, row.Ciphertext);
            }
            catch (CryptographicException ex)
            {
                throw new ExecutionException($"secret '{name}' cannot be decrypted: {ex.Message}");
            }

            env[variable] = value;
            if (value.Length > 0)
            {
                values.Add(value);

                // In JSON text (a result) the value appears escaped.
                var escaped = JsonSerializer.Serialize(value)[1..^1];
                if (escaped != value)
                {
                    values.Add(escaped);
                }
            }
        }

        spec["env"] = env;
        return [.. values.Distinct(StringComparer.Ordinal).OrderByDescending(v => v.Length)];
    }
}
