using System.Globalization;
using System.Text.Json.Nodes;

namespace FlowMesh.Runtime.Grains;

/// <summary>
/// The spec of one item of a map, as the engine writes it: <c>{{item}}</c> and <c>{{index}}</c> replaced in every string,
/// <c>map</c> removed, the item (JSON) and its index in <c>env</c> as FLOWMESH_MAP_ITEM and FLOWMESH_MAP_INDEX (python
/// and container tasks run with that env), and the item itself in <c>mapItem</c>.
/// </summary>
internal static class MapItemSpec
{
    public static JsonObject For(JsonObject mapSpec, JsonNode? item, int index)
    {
        var text = item is JsonValue v && v.TryGetValue<string>(out var s) ? s : item?.ToJsonString() ?? "null";
        var spec = (JsonObject)Substitute(mapSpec.DeepClone(), text, index)!;
        spec.Remove("map");
        var env = spec["env"] as JsonObject ?? [];
        env["FLOWMESH_MAP_ITEM"] = item?.ToJsonString() ?? "null";
        env["FLOWMESH_MAP_INDEX"] = index.ToString(CultureInfo.InvariantCulture);
        spec["env"] = env;
        spec["mapItem"] = item?.DeepClone();
        return spec;
    }

    private static JsonNode? Substitute(JsonNode? node, string item, int index)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var key in o.Select(p => p.Key).ToList())
                {
                    if (Substitute(o[key], item, index) is var changed && !ReferenceEquals(changed, o[key]))
                    {
                        o[key] = changed;
                    }
                }

                return o;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    if (Substitute(a[i], item, index) is var changed && !ReferenceEquals(changed, a[i]))
                    {
                        a[i] = changed;
                    }
                }

                return a;
            case JsonValue v when v.TryGetValue<string>(out var s) && s.Contains("{{", StringComparison.Ordinal):
                return JsonValue.Create(s.Replace("{{item}}", item, StringComparison.Ordinal)
                    .Replace("{{index}}", index.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));
            default:
                return node;
        }
    }
}
