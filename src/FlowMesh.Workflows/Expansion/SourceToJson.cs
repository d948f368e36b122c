using System.Globalization;
using System.Text.Json.Nodes;
using FlowMesh.Workflows.Source;

namespace FlowMesh.Workflows.Expansion;

/// <summary>Turns a validated source tree into plain JSON for the engine (iteratively: depth is already bounded).</summary>
internal static class SourceToJson
{
    public static JsonNode? Convert(SourceNode node) => node switch
    {
        ScalarNode s => Scalar(s),
        SequenceNode seq => new JsonArray([.. seq.Items.Select(Convert)]),
        MappingNode m => Object(m),
        _ => null,
    };

    public static JsonObject Object(MappingNode m)
    {
        var obj = new JsonObject();
        foreach (var (k, v) in m.Entries)
        {
            obj[k.Text] = Convert(v);
        }

        return obj;
    }

    private static JsonNode? Scalar(ScalarNode s)
    {
        switch (s.Kind)
        {
            case ScalarKind.Null:
                return null;
            case ScalarKind.Bool:
                return JsonValue.Create(s.Text.Equals("true", StringComparison.OrdinalIgnoreCase));
            case ScalarKind.Int when s.TryGetLong(out var l):
                return JsonValue.Create(l);
            case ScalarKind.Int or ScalarKind.Float:
                var d = double.TryParse(s.Text.Replace(".inf", "Infinity", StringComparison.OrdinalIgnoreCase), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.NaN;
                return double.IsFinite(d) ? JsonValue.Create(d) : JsonValue.Create(s.Text);
            default:
                return JsonValue.Create(s.Text);
        }
    }
}
