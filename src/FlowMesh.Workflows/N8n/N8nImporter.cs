using FlowMesh.Workflows.Source;

namespace FlowMesh.Workflows.N8n;

/// <summary>
/// Imports an n8n graph export as a FlowMesh graph. LLM chain and model-call nodes become tasks; language-model
/// nodes give them their model; Set nodes (raw JSON) named Input/Data/Format, Runtime Spec, Resource Spec,
/// Training Spec or Checkpoint Spec fill the matching spec block; main connections become dependsOn (through Set nodes).
/// </summary>
internal static partial class N8nImporter
{
    public static bool Looks(MappingNode doc) => doc["nodes"] is SequenceNode && doc["connections"] is MappingNode && doc["spec"] is null;

    public static MappingNode? Convert(MappingNode doc, string workflowName, DiagnosticBag bag)
    {
        if (doc["nodes"] is not SequenceNode nodeList)
        {
            bag.Add(doc, "nodes", "an n8n export needs a 'nodes' list", "nodes: [...]");
            return null;
        }

        var nodes = new Dictionary<string, N8nNode>(StringComparer.Ordinal);
        for (var i = 0; i < nodeList.Items.Count; i++)
        {
            var path = $"nodes[{i}]";
            if (nodeList.Items[i] is not MappingNode m)
            {
                bag.Add(nodeList.Items[i], path, "an n8n node must be a mapping", "a mapping", nodeList.Items[i].KindName);
                continue;
            }

            if (m["name"] is not ScalarNode { Kind: ScalarKind.String } nameNode || m["type"] is not ScalarNode { Kind: ScalarKind.String } typeNode)
            {
                bag.Add(m, path, "an n8n node needs 'name' and 'type' strings", "name and type");
                continue;
            }

            var parameters = m["parameters"] as MappingNode ?? new MappingNode(m.Mark, []);
            var node = new N8nNode(nameNode.Text, typeNode.Text, m, parameters, path, Classify(typeNode.Text, nameNode.Text));
            if (node.Role == N8nRole.Unsupported)
            {
                bag.Add(typeNode, $"{path}.type", $"n8n node type '{typeNode.Text}' has no FlowMesh equivalent",
                    "a trigger, an LLM chain/model call, a language model or a Set node (raw JSON)", $"'{typeNode.Text}'");
                continue;
            }

            if (node.Role == N8nRole.UnknownSet)
            {
                bag.Add(nameNode, $"{path}.name", $"cannot tell what Set node '{nameNode.Text}' configures",
                    "a name starting with Input, Data, Format, Runtime, Resource, Training or Checkpoint", $"'{nameNode.Text}'");
                continue;
            }

            if (!nodes.TryAdd(node.Name, node))
            {
                bag.Add(nameNode, $"{path}.name", $"duplicate n8n node name '{node.Name}'");
            }
        }

        var edges = Edges(doc["connections"] as MappingNode, nodes, bag);
        var tasks = nodes.Values.Where(n => n.Role == N8nRole.Task).ToList();
        if (tasks.Count == 0)
        {
            bag.Add(doc, "nodes", "the n8n export has no task nodes", "at least one LLM chain or model call node");
            return null;
        }

        var graphNodes = tasks.Select(t => BuildTask(t, nodes, edges, bag)).ToList();
        var mark = doc.Mark;
        return Map(mark,
            ("apiVersion", Str(mark, "flowmesh/v1")),
            ("kind", Str(mark, "HybridTask")),
            ("metadata", Map(mark, ("name", Str(mark, workflowName)))),
            ("spec", Map(mark, ("graph", Map(mark, ("nodes", new SequenceNode(mark, graphNodes)))))));
    }

    private static N8nRole Classify(string type, string name)
    {
        if (type.EndsWith("Trigger", StringComparison.OrdinalIgnoreCase) || type.Contains("stickyNote", StringComparison.OrdinalIgnoreCase))
        {
            return N8nRole.Ignored;
        }

        var local = type[(type.LastIndexOf('.') + 1)..];
        if (local.StartsWith("lm", StringComparison.Ordinal))
        {
            return N8nRole.Model;
        }

        if (local is "chainLlm" or "openAi" or "agent" or "chainSummarization" or "httpRequest")
        {
            return N8nRole.Task;
        }

        if (local == "set")
        {
            return SetRole(name);
        }

        return N8nRole.Unsupported;
    }

    private static List<(string From, string To, string Kind)> Edges(MappingNode? connections, Dictionary<string, N8nNode> nodes, DiagnosticBag bag)
    {
        var edges = new List<(string, string, string)>();
        if (connections is null)
        {
            return edges;
        }

        foreach (var (source, byKind) in connections.Entries)
        {
            if (byKind is not MappingNode kinds)
            {
                continue;
            }

            foreach (var (kind, outputs) in kinds.Entries)
            {
                foreach (var target in Targets(outputs))
                {
                    if (target is not MappingNode t || t["node"] is not ScalarNode { Kind: ScalarKind.String } to)
                    {
                        continue;
                    }

                    if (!nodes.ContainsKey(source.Text) || !nodes.ContainsKey(to.Text))
                    {
                        // A node already reported as unsupported, or a dangling connection: either way no edge.
                        continue;
                    }

                    edges.Add((source.Text, to.Text, kind.Text));
                }
            }
        }

        return edges;
    }

    private static IEnumerable<SourceNode> Targets(SourceNode outputs) =>
        outputs is SequenceNode outer
            ? outer.Items.OfType<SequenceNode>().SelectMany(inner => inner.Items)
            : [];

    internal static object? ReadJsonOutput(N8nNode node, DiagnosticBag bag)
    {
        if (node.Parameters["jsonOutput"] is not ScalarNode { Kind: ScalarKind.String } raw)
        {
            bag.Add(node.Source, $"{node.Path}.parameters.jsonOutput", $"Set node '{node.Name}' needs raw JSON in jsonOutput", "mode: raw with jsonOutput");
            return null;
        }

        var inner = new DiagnosticBag(bag.File);
        var parsed = SourceDocument.Parse(raw.Text, inner);
        foreach (var d in inner.Items)
        {
            bag.Add(raw, $"{node.Path}.parameters.jsonOutput", $"invalid JSON in Set node '{node.Name}' (line {d.Mark.Line} of the JSON): {d.Message}");
        }

        return parsed;
    }

    private static string ModelId(MappingNode parameters)
    {
        foreach (var key in new[] { "model", "modelId" })
        {
            switch (parameters[key])
            {
                case ScalarNode { Kind: ScalarKind.String } s:
                    return s.Text;
                case MappingNode m when m["value"] is ScalarNode v:
                    return v.Text;
            }
        }

        return string.Empty;
    }
}
