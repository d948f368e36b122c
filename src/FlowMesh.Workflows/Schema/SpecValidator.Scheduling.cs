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

    /// <summary>
    /// <c>fallback: {…}</c>: what runs in the task's place once its attempts are exhausted: fields laid over the task's
    /// own (a new taskType starts from none of the old type's fields, and from no resources unless it gives some).
    /// </summary>
    private void CheckFallback(string? parentType, SourceNode node, string path)
    {
        if (Mapping(node, path) is not { } fallback)
        {
            return;
        }

        var type = parentType;
        if (fallback["taskType"] is { } typeNode && String(typeNode, $"{path}.taskType") is { } t)
        {
            if (!TaskTypes.IsKnown(t) || t == TaskTypes.Approval)
            {
                bag.Add(typeNode, $"{path}.taskType", $"a fallback cannot be taskType '{t}'", "a task type that runs on a node", $"'{t}'");
                return;
            }

            type = t;
        }

        if (type is null)
        {
            return;
        }

        // The fallback's own resources must not replace the task's.
        var (resources, condition) = (Resources, Condition);
        var allowed = TypeFields[type];
        foreach (var (key, value) in fallback.Entries)
        {
            var fieldPath = $"{path}.{key.Text}";
            if (key.Text is "fallback" or "dependsOn" or "condition" or "cache" or "_upstreamResults")
            {
                bag.Add(key, fieldPath, $"'{key.Text}' cannot be set in a fallback (it belongs to the task)");
            }
            else if (!CommonFields.Contains(key.Text) && !allowed.Contains(key.Text))
            {
                bag.Add(key, fieldPath, $"unknown field '{key.Text}' for taskType {type}", $"one of {string.Join(", ", CommonFields.Concat(allowed))}");
            }
            else
            {
                CheckField(type, key.Text, value, fieldPath);
            }
        }

        if (type != parentType)
        {
            CheckRequired(type, fallback, path);
        }

        (Resources, Condition) = (resources, condition);
    }

    /// <summary><c>map: {items: LIST | "${task.path}"}</c>: one task per item, joined by this one.</summary>
    private void CheckMap(SourceNode node, string path)
    {
        if (Mapping(node, path) is not { } map)
        {
            return;
        }

        Keys(map, path, "map", "items");
        switch (map["items"])
        {
            case null:
                bag.Add(map, $"{path}.items", "map needs 'items': a list, or a template naming a list in an upstream result", "items: [a, b] or items: \"${producer.value.list}\"");
                break;
            case SequenceNode:
                break;
            case ScalarNode { Kind: ScalarKind.String } s when s.Text.StartsWith("${", StringComparison.Ordinal) && s.Text.EndsWith('}'):
                break;
            case var other:
                bag.Add(other, $"{path}.items", "map.items must be a list or a whole template like \"${producer.value.list}\"", "a list or a template", other is ScalarNode sc ? $"'{sc.Text}'" : other.KindName);
                break;
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

            if (value is not ScalarNode { Kind: ScalarKind.String } s || !SecretNames.IsValid(s.Text))
            {
                bag.Add(value, $"{path}.{key.Text}", "a secrets value is the name of a secret of your tenant", SecretNames.Rule, value is ScalarNode sc ? $"'{sc.Text}'" : value.KindName);
            }
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial System.Text.RegularExpressions.Regex EnvName();
}
