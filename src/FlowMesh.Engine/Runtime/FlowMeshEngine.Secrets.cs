using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using FlowMesh.Engine.Actors;
using FlowMesh.Engine.Executors;

namespace FlowMesh.Engine.Runtime;

/// <summary>
/// Tenant secrets: a task's <c>secrets: {ENV_VAR: secret-name}</c> are decrypted when it is dispatched and given to
/// its executor as environment variables (in the request only: never in the stored spec). While the attempt runs,
/// every log line, error and result it reports is searched for the values, which are replaced before anything is stored
/// or published.
/// </summary>
public sealed partial class FlowMeshEngine
{
    private const string Redacted = "[redacted]";
    private readonly Dictionary<(string Workflow, int Index), string[]> _secretValues = [];

    /// <summary>Puts the task's secrets into its env; returns the values to redact (longest first).</summary>
    private string[] AddSecrets(WorkflowActor wf, TaskActor t, JsonObject spec)
    {
        _secretValues.Remove((wf.Id, t.Index));
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
        string[] redact = [.. values.Distinct(StringComparer.Ordinal).OrderByDescending(v => v.Length)];
        _secretValues[(wf.Id, t.Index)] = redact;
        return redact;
    }

    private string? Redact(WorkflowActor wf, TaskActor t, string? text)
    {
        return text is null || !_secretValues.TryGetValue((wf.Id, t.Index), out var values) ? text : RedactValues(text, values);
    }

    /// <summary>Replaces every value (longest first, so a value containing another goes whole) with [redacted].</summary>
    internal static string RedactValues(string text, IReadOnlyList<string> values)
    {
        foreach (var value in values)
        {
            text = text.Replace(value, Redacted, StringComparison.Ordinal);
        }

        return text;
    }

    private IReadOnlyList<LogLine> Redact(WorkflowActor wf, TaskActor t, IReadOnlyList<LogLine> lines) =>
        _secretValues.ContainsKey((wf.Id, t.Index)) ? [.. lines.Select(l => l with { Text = Redact(wf, t, l.Text)! })] : lines;

    private JsonNode? Redact(WorkflowActor wf, TaskActor t, JsonNode? result) =>
        result is null || !_secretValues.ContainsKey((wf.Id, t.Index)) ? result : JsonNode.Parse(Redact(wf, t, result.ToJsonString())!);

    private void ForgetSecrets(WorkflowActor wf, TaskActor t) => _secretValues.Remove((wf.Id, t.Index));
}
