using System.Globalization;
using FlowMesh.Workflows.Source;

namespace FlowMesh.Workflows.Schema;

internal sealed partial class SpecValidator
{
    internal MappingNode? Mapping(SourceNode? node, string path)
    {
        if (node is MappingNode m)
        {
            return m;
        }

        bag.Add(node, path, "expected a mapping", "a mapping", node?.KindName ?? "nothing");
        return null;
    }

    internal string? String(SourceNode node, string path)
    {
        if (node is ScalarNode { Kind: ScalarKind.String } s)
        {
            return s.Text;
        }

        bag.Add(node, path, "expected a string", "a string", Describe(node));
        return null;
    }

    internal void Bool(SourceNode node, string path)
    {
        if (node is not ScalarNode { Kind: ScalarKind.Bool })
        {
            bag.Add(node, path, "expected true or false", "a boolean", Describe(node));
        }
    }

    internal long? Int(SourceNode node, string path, long min, long max)
    {
        if (node is ScalarNode s && s.TryGetLong(out var value))
        {
            if (value < min || value > max)
            {
                bag.Add(node, path, "value out of range", $"an integer from {min} to {max}", s.Text);
                return null;
            }

            return value;
        }

        bag.Add(node, path, "expected an integer", $"an integer from {min} to {max}", Describe(node));
        return null;
    }

    internal void Number(SourceNode node, string path, double min)
    {
        if (node is ScalarNode s && s.TryGetDouble(out var value))
        {
            if (value < min || double.IsNaN(value) || double.IsInfinity(value))
            {
                bag.Add(node, path, "value out of range", $"a finite number >= {min.ToString(CultureInfo.InvariantCulture)}", s.Text);
            }

            return;
        }

        bag.Add(node, path, "expected a number", "a number", Describe(node));
    }

    internal void StringList(SourceNode node, string path)
    {
        if (node is not SequenceNode list)
        {
            bag.Add(node, path, "expected a list of strings", "a list of strings", Describe(node));
            return;
        }

        for (var i = 0; i < list.Items.Count; i++)
        {
            String(list.Items[i], $"{path}[{i}]");
        }
    }

    internal string? OneOf(SourceNode node, string path, params string[] allowed)
    {
        if (String(node, path) is not { } value)
        {
            return null;
        }

        if (!allowed.Contains(value, StringComparer.Ordinal))
        {
            bag.Add(node, path, $"unsupported value '{value}'", $"one of {string.Join(", ", allowed)}", $"'{value}'");
            return null;
        }

        return value;
    }

    internal void Keys(MappingNode node, string path, string what, params string[] allowed)
    {
        foreach (var key in node.Entries.Select(e => e.Key))
        {
            if (!allowed.Contains(key.Text, StringComparer.Ordinal))
            {
                bag.Add(key, $"{path}.{key.Text}", $"unknown field '{key.Text}' in {what}", $"one of {string.Join(", ", allowed)}");
            }
        }
    }

    internal static string Describe(SourceNode? node) => node switch
    {
        null => "nothing",
        ScalarNode { Kind: ScalarKind.String } s => $"'{Shorten(s.Text)}'",
        ScalarNode s => $"{s.KindName} {Shorten(s.Text)}",
        _ => node.KindName,
    };

    private static string Shorten(string text) => text.Length > 40 ? text[..40] + "..." : text;
}
