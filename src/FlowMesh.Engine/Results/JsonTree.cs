using System.Text.Json.Nodes;

namespace FlowMesh.Engine.Results;

/// <summary>Every node of JSON trees, depth first, without recursion (specs may nest deeply).</summary>
internal static class JsonTree
{
    public static IEnumerable<JsonNode> Descendants(IEnumerable<JsonNode?> roots)
    {
        var stack = new Stack<JsonNode?>(roots);
        while (stack.TryPop(out var node))
        {
            switch (node)
            {
                case JsonObject o:
                    foreach (var (_, child) in o)
                    {
                        stack.Push(child);
                    }

                    break;
                case JsonArray a:
                    foreach (var child in a)
                    {
                        stack.Push(child);
                    }

                    break;
            }

            if (node is not null)
            {
                yield return node;
            }
        }
    }
}
