using System.Text.Json.Nodes;
using FlowMesh.Workflows.References;

namespace FlowMesh.Engine.Results;

/// <summary>
/// Resolves <c>${stage.path}</c> in a spec from upstream results when the task becomes ready. A string that is exactly
/// one reference keeps the value's type; an embedded reference is rendered as text. Names that are not upstream tasks
/// (environment placeholders such as <c>${QDRANT_API_KEY}</c>) are left as they are.
/// </summary>
public static class TemplateResolver
{
    public static JsonNode? Resolve(JsonNode? node, Func<string, (bool Known, JsonNode? Root, string TaskId)> lookup)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var key in o.Select(p => p.Key).ToList())
                {
                    if (key == "_upstreamResults")
                    {
                        continue;
                    }

                    var resolved = Resolve(o[key], lookup);
                    if (!ReferenceEquals(resolved, o[key]))
                    {
                        o[key] = resolved;
                    }
                }

                return o;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    var resolved = Resolve(a[i], lookup);
                    if (!ReferenceEquals(resolved, a[i]))
                    {
                        a[i] = resolved;
                    }
                }

                return a;
            case JsonValue v when v.TryGetValue<string>(out var s) && s.Contains("${", StringComparison.Ordinal):
                return ResolveString(s, lookup) ?? node;
            default:
                return node;
        }
    }

    private static JsonNode? ResolveString(string text, Func<string, (bool Known, JsonNode? Root, string TaskId)> lookup)
    {
        var matches = TemplateSyntax.Pattern().Matches(text);
        if (matches.Count == 1 && matches[0].Length == text.Length && Lookup(matches[0].Groups[1].Value, lookup, out var whole))
        {
            return whole?.DeepClone();
        }

        var changed = false;
        var result = TemplateSyntax.Pattern().Replace(text, m =>
        {
            if (!Lookup(m.Groups[1].Value, lookup, out var value))
            {
                return m.Value;
            }

            changed = true;
            return ResultPath.Text(value);
        });
        return changed ? JsonValue.Create(result) : null;
    }

    private static bool Lookup(string expression, Func<string, (bool Known, JsonNode? Root, string TaskId)> lookup, out JsonNode? value)
    {
        var expr = expression.Trim();
        var dot = expr.IndexOf('.', StringComparison.Ordinal);
        var name = dot < 0 ? expr : expr[..dot];
        var (known, root, taskId) = lookup(name);
        value = null;
        if (!known)
        {
            return false;
        }

        var path = dot < 0 ? string.Empty : expr[(dot + 1)..];
        if (path == "task_id")
        {
            value = JsonValue.Create(taskId);
            return true;
        }

        value = path.Length == 0 ? root : ResultPath.Evaluate(root, path);
        if (value is null)
        {
            throw new Executors.ExecutionException($"reference ${{{expr}}} did not resolve: '{name}' has no '{path}' in its result");
        }

        return true;
    }
}
