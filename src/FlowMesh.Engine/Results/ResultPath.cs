using System.Globalization;
using System.Text.Json.Nodes;

namespace FlowMesh.Engine.Results;

/// <summary>
/// Evaluates FlowMesh result paths: dots and brackets (<c>items[0].output</c>, <c>items.0.output</c>); a name applied
/// to a list maps over its elements (<c>items.output</c>).
/// </summary>
public static class ResultPath
{
    public static JsonNode? Evaluate(JsonNode? root, string path)
    {
        var current = root;
        foreach (var segment in Segments(path))
        {
            if (current is null)
            {
                return null;
            }

            var isIndex = int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var index);
            current = current switch
            {
                JsonArray a when isIndex => index < a.Count ? a[index] : null,
                JsonArray a => new JsonArray([.. a.Select(e => e is JsonObject o && o.TryGetPropertyValue(segment, out var v) ? v?.DeepClone() : null)]),
                JsonObject o => o.TryGetPropertyValue(segment, out var v) ? v : null,
                _ => null,
            };
        }

        return current;
    }

    public static string Text(JsonNode? node) => node switch
    {
        null => string.Empty,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v when v.TryGetValue<bool>(out var b) => b ? "True" : "False",
        _ => node.ToJsonString(),
    };

    private static IEnumerable<string> Segments(string path)
    {
        foreach (var part in path.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            var rest = part;
            var bracket = rest.IndexOf('[', StringComparison.Ordinal);
            if (bracket < 0)
            {
                yield return rest;
                continue;
            }

            if (bracket > 0)
            {
                yield return rest[..bracket];
            }

            while (bracket >= 0)
            {
                var close = rest.IndexOf(']', bracket);
                if (close < 0)
                {
                    yield return rest[(bracket + 1)..];
                    break;
                }

                yield return rest[(bracket + 1)..close].Trim('"', '\'');
                rest = rest[(close + 1)..];
                bracket = rest.IndexOf('[', StringComparison.Ordinal);
            }
        }
    }
}
