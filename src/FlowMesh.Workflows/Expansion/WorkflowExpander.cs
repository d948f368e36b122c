using FlowMesh.Workflows.Source;

namespace FlowMesh.Workflows.Expansion;

/// <summary>
/// Expands a FlowMesh spec into task entries: a single task, <c>spec.stages</c> (sequential unless <c>dependsOn</c>
/// says otherwise) or <c>spec.graph.nodes</c> (no implicit edges). The root spec is deep-merged under each entry.
/// </summary>
internal static class WorkflowExpander
{
    private static readonly string[] EntryKeys = ["name", "id", "spec", "dependsOn"];

    public static List<TaskEntry> Expand(MappingNode spec, string? workflowName, DiagnosticBag bag)
    {
        var hasStages = spec.TryGet("stages", out var stagesNode);
        var hasGraph = spec.TryGet("graph", out var graphNode);
        if (hasStages && hasGraph)
        {
            bag.Add(spec.KeyNode("graph"), "spec.graph", "'stages' and 'graph' cannot be used together", "one of stages or graph");
            return [];
        }

        var baseSpec = SourceMerge.Without(spec, "stages", "graph");
        if (hasStages)
        {
            return Entries(stagesNode, "spec.stages", "stage", sequential: true, baseSpec, bag);
        }

        if (hasGraph)
        {
            if (graphNode is not MappingNode graph)
            {
                bag.Add(graphNode, "spec.graph", "'graph' must be a mapping with 'nodes'", "a mapping", graphNode.KindName);
                return [];
            }

            foreach (var key in graph.Entries.Select(e => e.Key).Where(k => k.Text != "nodes"))
            {
                bag.Add(key, $"spec.graph.{key.Text}", $"unknown field '{key.Text}' in graph", "nodes");
            }

            if (!graph.TryGet("nodes", out var nodes))
            {
                bag.Add(graph, "spec.graph", "missing required field 'nodes'", "nodes: [...]");
                return [];
            }

            return Entries(nodes, "spec.graph.nodes", "node", sequential: false, baseSpec, bag);
        }

        if (!spec.TryGet("taskType", out _))
        {
            bag.Add(spec, "spec", "spec has no 'taskType', 'stages' or 'graph'", "a single task (taskType) or stages or graph.nodes");
            return [];
        }

        var name = string.IsNullOrWhiteSpace(workflowName) ? "task" : workflowName;
        return [new TaskEntry(name, spec, DependsOn(spec["dependsOn"], "spec.dependsOn", bag) ?? [], SourceMerge.Without(baseSpec, "dependsOn"), "spec")];
    }

    private static List<TaskEntry> Entries(SourceNode listNode, string path, string kind, bool sequential, MappingNode baseSpec, DiagnosticBag bag)
    {
        if (listNode is not SequenceNode list)
        {
            bag.Add(listNode, path, $"expected a list of {kind}s", "a list", listNode.KindName);
            return [];
        }

        if (list.Items.Count == 0)
        {
            bag.Add(listNode, path, $"a workflow needs at least one {kind}", "a non-empty list", "an empty list");
            return [];
        }

        var result = new List<TaskEntry>(list.Items.Count);
        string? previous = null;
        for (var i = 0; i < list.Items.Count; i++)
        {
            var itemPath = $"{path}[{i}]";
            if (list.Items[i] is not MappingNode item)
            {
                bag.Add(list.Items[i], itemPath, $"a {kind} must be a mapping with name and spec", "a mapping", list.Items[i].KindName);
                continue;
            }

            foreach (var key in item.Entries.Select(e => e.Key).Where(k => !EntryKeys.Contains(k.Text, StringComparer.Ordinal)))
            {
                bag.Add(key, $"{itemPath}.{key.Text}", $"unknown field '{key.Text}' in {kind}", "one of name, id, spec, dependsOn");
            }

            var nameNode = item["name"] ?? item["id"];
            var name = $"{kind}-{i + 1}";
            if (nameNode is ScalarNode { Kind: ScalarKind.String } n && !string.IsNullOrWhiteSpace(n.Text))
            {
                name = n.Text.Trim();
            }
            else if (nameNode is not null)
            {
                bag.Add(nameNode, $"{itemPath}.name", "a name must be a non-empty string", "a string", nameNode.KindName);
            }

            MappingNode own;
            if (item["spec"] is MappingNode s)
            {
                own = s;
            }
            else
            {
                if (item["spec"] is { } bad)
                {
                    bag.Add(bad, $"{itemPath}.spec", "'spec' must be a mapping", "a mapping", bad.KindName);
                }

                own = new MappingNode(item.Mark, []);
            }

            var merged = SourceMerge.Merge(baseSpec, own);
            var deps = DependsOn(item["dependsOn"], $"{itemPath}.dependsOn", bag)
                ?? DependsOn(own["dependsOn"], $"{itemPath}.spec.dependsOn", bag);
            if (deps is null)
            {
                deps = sequential && previous is not null ? [(previous, (SourceNode)item)] : [];
            }

            result.Add(new TaskEntry(name, nameNode ?? item, deps, SourceMerge.Without(merged, "dependsOn"), $"{itemPath}.spec"));
            previous = name;
        }

        return result;
    }

    private static List<(string, SourceNode)>? DependsOn(SourceNode? node, string path, DiagnosticBag bag)
    {
        if (node is null)
        {
            return null;
        }

        if (node is ScalarNode { Kind: ScalarKind.String } single)
        {
            return [(single.Text.Trim(), single)];
        }

        if (node is not SequenceNode list)
        {
            bag.Add(node, path, "dependsOn must be a list of task names", "a list of strings", node.KindName);
            return [];
        }

        var deps = new List<(string, SourceNode)>(list.Items.Count);
        for (var i = 0; i < list.Items.Count; i++)
        {
            if (list.Items[i] is ScalarNode { Kind: ScalarKind.String } s && !string.IsNullOrWhiteSpace(s.Text))
            {
                deps.Add((s.Text.Trim(), s));
            }
            else
            {
                bag.Add(list.Items[i], $"{path}[{i}]", "a dependency must be a task name", "a string", list.Items[i].KindName);
            }
        }

        return deps;
    }
}
