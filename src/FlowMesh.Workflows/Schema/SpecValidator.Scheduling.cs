using FlowMesh.Workflows.Source;

namespace FlowMesh.Workflows.Schema;

internal sealed partial class SpecValidator
{
    /// <summary>
    /// <c>priority</c> (a FlowMesh .NET addition, like the others here; on the root spec it is every task's default):
    /// a whole number in [-100, 100], higher first among its tenant's ready tasks.
    /// </summary>
    private void CheckPriority(SourceNode node, string path) => Range(node, path, -100, 100, integer: true);

    /// <summary><c>nodeSelector</c>: labels (from <c>flowmesh agent --label k=v</c>) a node must carry for the task to run there.</summary>
    private void CheckNodeSelector(SourceNode node, string path)
    {
        if (Mapping(node, path) is not { } selector)
        {
            return;
        }

        foreach (var (key, value) in selector.Entries)
        {
            if (value is not ScalarNode { IsNull: false } s || s.Kind is not (ScalarKind.String or ScalarKind.Int or ScalarKind.Bool))
            {
                bag.Add(value, $"{path}.{key.Text}", "a nodeSelector label value must be a string", "a string", value.KindName);
            }
        }
    }

    /// <summary><c>cache: true</c> or <c>cache: {ttlSeconds}</c>: reuse the result of an earlier run with the same spec and inputs.</summary>
    private void CheckCache(SourceNode node, string path)
    {
        if (node is ScalarNode { Kind: ScalarKind.Bool })
        {
            return;
        }

        if (node is not MappingNode cache)
        {
            bag.Add(node, path, "cache is true, false or {ttlSeconds: N}", "a boolean or a mapping", node.KindName);
            return;
        }

        Keys(cache, path, "cache", "ttlSeconds");
        Range(cache["ttlSeconds"], $"{path}.ttlSeconds", 1, 365 * 86400, integer: false);
    }

    /// <summary><c>secrets: {ENV_VAR: secret-name}</c>: tenant secrets the executor gets as environment variables.</summary>
    private void CheckSecrets(SourceNode node, string path)
    {
        if (Mapping(node, path) is not { } secrets)
        {
            return;
        }

        foreach (var (key, value) in secrets.Entries)
        {
            if (!EnvName().IsMatch(key.Text))
            {
                bag.Add(key, $"{path}.{key.Text}", "a secrets key is the environment variable to set", "a name like API_TOKEN (letters, digits, _)", $"'{key.Text}'");
            }

            if (value is not ScalarNode { Kind: ScalarKind.String } s || !SecretName().IsMatch(s.Text))
            {
                bag.Add(value, $"{path}.{key.Text}", "a secrets value is the name of a secret of your tenant", "1-128 letters, digits, '.', '_' or '-'", value is ScalarNode sc ? $"'{sc.Text}'" : value.KindName);
            }
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial System.Text.RegularExpressions.Regex EnvName();

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z0-9._-]{1,128}$")]
    private static partial System.Text.RegularExpressions.Regex SecretName();
}
