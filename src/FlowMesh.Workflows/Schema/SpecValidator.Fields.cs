using System.Text.RegularExpressions;
using FlowMesh.Workflows.References;
using FlowMesh.Workflows.Source;

namespace FlowMesh.Workflows.Schema;

internal sealed partial class SpecValidator
{
    private void CheckResources(SourceNode node, string path)
    {
        if (Mapping(node, path) is not { } resources)
        {
            return;
        }

        Keys(resources, path, "resources", "hardware", "estimatedLoad", "replicas");
        if (resources["estimatedLoad"] is { } load)
        {
            Int(load, $"{path}.estimatedLoad", 0, int.MaxValue);
        }

        if (resources["hardware"] is not { } hwNode || Mapping(hwNode, $"{path}.hardware") is not { } hw)
        {
            return;
        }

        var hwPath = $"{path}.hardware";
        Keys(hw, hwPath, "hardware", "cpu", "memory", "gpu");
        long cpu = 0, memory = 0;
        GpuRequest? gpu = null;
        if (hw["cpu"] is ScalarNode cpuNode)
        {
            if (cpuNode.IsNull || !Quantities.TryParseCpuMillis(cpuNode.Text, out cpu))
            {
                bag.Add(cpuNode, $"{hwPath}.cpu", "cpu must be a number of cores", "a number like 2 or \"500m\"", $"'{cpuNode.Text}'");
            }
        }
        else if (hw["cpu"] is { } badCpu)
        {
            bag.Add(badCpu, $"{hwPath}.cpu", "cpu must be a number of cores", "a number", badCpu.KindName);
        }

        if (hw["memory"] is { } memNode)
        {
            memory = Bytes(memNode, $"{hwPath}.memory");
        }

        if (hw["gpu"] is { } gpuNode && Mapping(gpuNode, $"{hwPath}.gpu") is { } g)
        {
            Keys(g, $"{hwPath}.gpu", "gpu", "type", "count", "memory");
            var type = g["type"] is { } t ? String(t, $"{hwPath}.gpu.type") ?? "any" : "any";
            var count = g["count"] is { } c ? (int)(Int(c, $"{hwPath}.gpu.count", 0, 64) ?? 0) : 1;
            var gpuMemory = g["memory"] is { } gm ? Bytes(gm, $"{hwPath}.gpu.memory") : 0;
            gpu = count > 0 ? new GpuRequest(type, count, gpuMemory) : null;
        }

        Resources = new ResourceRequest(cpu, memory, gpu);
    }

    private long Bytes(SourceNode node, string path)
    {
        if (node is ScalarNode s && !s.IsNull && Quantities.TryParseBytes(s.Text, out var bytes))
        {
            return bytes;
        }

        bag.Add(node, path, "not a memory quantity", "a size like 16Gi, 16GiB, 512Mi or 24GB", node is ScalarNode sc ? $"'{sc.Text}'" : node.KindName);
        return 0;
    }

    private void CheckOutput(SourceNode node, string path)
    {
        if (Mapping(node, path) is not { } output)
        {
            return;
        }

        Keys(output, path, "output", "destination", "artifacts");
        if (output["artifacts"] is { } artifacts)
        {
            StringList(artifacts, $"{path}.artifacts");
        }

        if (output["destination"] is not { } destNode || Mapping(destNode, $"{path}.destination") is not { } dest)
        {
            return;
        }

        var dpath = $"{path}.destination";
        Keys(dest, dpath, "destination", "type", "url", "method", "headers", "timeoutSec");
        if (dest["type"] is not { } typeNode)
        {
            bag.Add(dest, dpath, "missing required field 'type'", "local or http");
        }
        else
        {
            OneOf(typeNode, $"{dpath}.type", "local", "http");
        }

        if (dest["url"] is { } url)
        {
            String(url, $"{dpath}.url");
        }

        if (dest["method"] is { } method)
        {
            OneOf(method, $"{dpath}.method", "POST", "PUT", "PATCH", "GET");
        }

        if (dest["headers"] is { } headers && Mapping(headers, $"{dpath}.headers") is { } h)
        {
            foreach (var (k, v) in h.Entries)
            {
                if (v is not ScalarNode)
                {
                    bag.Add(v, $"{dpath}.headers.{k.Text}", "header values must be strings", "a string", v.KindName);
                }
            }
        }

        if (dest["timeoutSec"] is { } timeout)
        {
            Number(timeout, $"{dpath}.timeoutSec", min: 0);
        }
    }

    private void CheckCondition(SourceNode node, string path)
    {
        if (Mapping(node, path) is not { } c)
        {
            return;
        }

        Keys(c, path, "condition", "node", "field", "equals");
        string? Need(string key)
        {
            if (c[key] is { } v)
            {
                // `equals` is compared as a string, so 5 and "5" mean the same thing.
                return key == "equals" && v is ScalarNode { IsNull: false } s ? s.Text : String(v, $"{path}.{key}");
            }

            bag.Add(c, path, $"missing required field '{key}'", "condition: {node, field, equals}");
            return null;
        }

        var target = Need("node");
        var field = Need("field");
        var equals = Need("equals");
        if (target is not null && field is not null && equals is not null)
        {
            Condition = new TaskCondition(target, field, equals);
        }
    }

    private void CheckModel(SourceNode node, string path)
    {
        if (Mapping(node, path) is not { } model)
        {
            return;
        }

        Keys(model, path, "model", "source", "vllm", "transformers", "diffusers", "adapters");
        if (model["source"] is not { } sourceNode)
        {
            bag.Add(model, path, "missing required field 'source'", "source: {type: huggingface, identifier: ...}");
        }
        else if (Mapping(sourceNode, $"{path}.source") is { } source)
        {
            Keys(source, $"{path}.source", "source", "type", "identifier", "revision", "trust_remote_code");
            if (source["identifier"] is not { } id)
            {
                bag.Add(source, $"{path}.source", "missing required field 'identifier'", "a model id such as Qwen/Qwen3-0.6B");
            }
            else
            {
                String(id, $"{path}.source.identifier");
            }
        }

        foreach (var key in new[] { "vllm", "transformers", "diffusers" })
        {
            if (model[key] is { } engine)
            {
                Mapping(engine, $"{path}.{key}");
            }
        }

        if (model["adapters"] is { } adapters && adapters is not SequenceNode)
        {
            bag.Add(adapters, $"{path}.adapters", "'adapters' must be a list", "a list", adapters.KindName);
        }
    }

    private void CheckData(string? type, SourceNode node, string path)
    {
        if (Mapping(node, path) is not { } data)
        {
            return;
        }

        CollectItemReferences(data, path);
        string? dataType = null;
        if (data["type"] is { } typeNode)
        {
            dataType = OneOf(typeNode, $"{path}.type", DataTypes);
        }

        if (type == "echo")
        {
            if (dataType is null && data["type"] is null)
            {
                bag.Add(data, path, "echo data needs 'type: list'", "type: list");
            }

            if (data["items"] is not { } itemsNode)
            {
                bag.Add(data, path, "echo data needs 'items'", "items: [...]");
                return;
            }

            if (itemsNode is not SequenceNode items)
            {
                bag.Add(itemsNode, $"{path}.items", "'items' must be a list", "a list", itemsNode.KindName);
                return;
            }

            for (var i = 0; i < items.Items.Count; i++)
            {
                var item = items.Items[i];
                var ipath = $"{path}.items[{i}]";
                if (item is MappingNode m)
                {
                    var hasRef = m["node"] is ScalarNode && m["path"] is ScalarNode;
                    if (!hasRef && m["expr"] is not ScalarNode)
                    {
                        bag.Add(item, ipath, "an echo item mapping needs 'node' and 'path' (or 'expr')", "{node: <task>, path: items[0].output}");
                    }
                }
                else if (item is not ScalarNode { Kind: ScalarKind.String })
                {
                    bag.Add(item, ipath, "an echo item is a string or a {node, path} reference", "a string or mapping", item.KindName);
                }
            }
        }
        else if (dataType == "list" && data["items"] is { } li && li is not SequenceNode)
        {
            bag.Add(li, $"{path}.items", "'items' must be a list", "a list", li.KindName);
        }
    }

    private void CheckMounts(SourceNode node, string path)
    {
        if (node is not SequenceNode list)
        {
            bag.Add(node, path, "'mounts' must be a list", "a list of {source, target, readOnly}", node.KindName);
            return;
        }

        for (var i = 0; i < list.Items.Count; i++)
        {
            var mpath = $"{path}[{i}]";
            if (Mapping(list.Items[i], mpath) is not { } mount)
            {
                continue;
            }

            Keys(mount, mpath, "mount", "source", "target", "readOnly");
            foreach (var key in new[] { "source", "target" })
            {
                if (mount[key] is not { } value)
                {
                    bag.Add(mount, mpath, $"missing required field '{key}'", $"{key}: <absolute path>");
                }
                else if (String(value, $"{mpath}.{key}") is { } text && !text.StartsWith('/'))
                {
                    bag.Add(value, $"{mpath}.{key}", $"{key} must be an absolute path", "a path starting with /", $"'{text}'");
                }
            }

            if (mount["readOnly"] is { } ro)
            {
                Bool(ro, $"{mpath}.readOnly");
            }
        }
    }

    private void CheckInputs(SourceNode node, string path)
    {
        if (node is not SequenceNode list)
        {
            bag.Add(node, path, "'inputs' must be a list", "a list of {stage, mountPath}", node.KindName);
            return;
        }

        for (var i = 0; i < list.Items.Count; i++)
        {
            var ipath = $"{path}[{i}]";
            if (Mapping(list.Items[i], ipath) is not { } input)
            {
                continue;
            }

            Keys(input, ipath, "input", "stage", "mountPath");
            if (input["stage"] is not { } stageNode)
            {
                bag.Add(input, ipath, "missing required field 'stage'", "stage: <upstream task>");
            }
            else if (String(stageNode, $"{ipath}.stage") is { } stage)
            {
                References.Add(new SpecReference(stage, stageNode, $"{ipath}.stage"));
            }

            if (input["mountPath"] is { } mp)
            {
                String(mp, $"{ipath}.mountPath");
            }
        }
    }

    /// <summary>Finds <c>{node, path}</c> mappings anywhere inside data: they read an upstream result.</summary>
    private void CollectItemReferences(SourceNode node, string path)
    {
        var stack = new Stack<(SourceNode Node, string Path)>();
        stack.Push((node, path));
        while (stack.Count > 0)
        {
            var (current, p) = stack.Pop();
            switch (current)
            {
                case MappingNode m:
                    if (m["node"] is ScalarNode { Kind: ScalarKind.String } target && m["path"] is ScalarNode)
                    {
                        References.Add(new SpecReference(target.Text, target, $"{p}.node"));
                    }

                    foreach (var (k, v) in m.Entries)
                    {
                        stack.Push((v, $"{p}.{k.Text}"));
                    }

                    break;
                case SequenceNode s:
                    for (var i = 0; i < s.Items.Count; i++)
                    {
                        stack.Push((s.Items[i], $"{p}[{i}]"));
                    }

                    break;
            }
        }
    }

    /// <summary>Finds <c>${stage.path}</c> in every string of the spec; which of them name a task is decided later.</summary>
    private void CollectTemplateReferences(SourceNode node, string path)
    {
        var stack = new Stack<(SourceNode Node, string Path)>();
        stack.Push((node, path));
        while (stack.Count > 0)
        {
            var (current, p) = stack.Pop();
            switch (current)
            {
                case ScalarNode { Kind: ScalarKind.String } s when s.Text.Contains("${", StringComparison.Ordinal):
                    foreach (Match m in TemplateSyntax.Pattern().Matches(s.Text))
                    {
                        var expr = m.Groups[1].Value.Trim();
                        var dot = expr.IndexOf('.', StringComparison.Ordinal);
                        References.Add(new SpecReference(dot < 0 ? expr : expr[..dot], s, p) { IsTemplate = true });
                    }

                    break;
                case MappingNode m:
                    foreach (var (k, v) in m.Entries)
                    {
                        stack.Push((v, $"{p}.{k.Text}"));
                    }

                    break;
                case SequenceNode seq:
                    for (var i = 0; i < seq.Items.Count; i++)
                    {
                        stack.Push((seq.Items[i], $"{p}[{i}]"));
                    }

                    break;
            }
        }
    }
}
