using System.Text.Json.Nodes;
using FlowMesh.Workflows.Expansion;
using FlowMesh.Workflows.N8n;
using FlowMesh.Workflows.Schema;
using FlowMesh.Workflows.Source;

namespace FlowMesh.Workflows;

/// <summary>
/// Parses and validates a FlowMesh workflow (YAML, JSON, or an n8n export) into tasks with edges and effective specs.
/// Never throws on bad input: every problem comes back as a <see cref="Diagnostic"/>.
/// </summary>
public static class WorkflowParser
{
    private static readonly string[] RootKeys = ["apiVersion", "kind", "metadata", "spec"];
    private static readonly string[] MetadataKeys = ["name", "owner", "annotations"];
    private static readonly string[] AnnotationKeys = ["description", "schedule_hint"];

    public static ParseResult ParseFile(string path, WorkflowFormat format = WorkflowFormat.Auto)
    {
        var bag = new DiagnosticBag(path);
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                bag.Add(SourceMark.None, string.Empty, "no such file");
                return new ParseResult(null, bag.Items);
            }

            if (info.Length > SourceLimits.MaxBytes)
            {
                bag.Add(new SourceMark(1, 1), string.Empty, $"the file is larger than {SourceLimits.MaxBytes / (1024 * 1024)} MiB", found: $"{info.Length} bytes");
                return new ParseResult(null, bag.Items);
            }

            return Parse(File.ReadAllText(path), path, format);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            bag.Add(SourceMark.None, string.Empty, $"cannot read the file: {ex.Message}");
            return new ParseResult(null, bag.Items);
        }
    }

    public static ParseResult Parse(string text, string fileName, WorkflowFormat format = WorkflowFormat.Auto)
    {
        var bag = new DiagnosticBag(fileName);
        var workflow = ParseInto(text, fileName, format, bag);
        if (bag.Truncated)
        {
            bag.Add(SourceMark.None, string.Empty, $"more than {DiagnosticBag.MaxDiagnostics} errors; the rest are not shown");
        }

        return new ParseResult(bag.HasErrors ? null : workflow, bag.Items);
    }

    private static WorkflowDefinition? ParseInto(string text, string fileName, WorkflowFormat format, DiagnosticBag bag)
    {
        if (SourceDocument.Parse(text, bag) is not { } root)
        {
            return null;
        }

        if (root is not MappingNode doc)
        {
            bag.Add(root, string.Empty, "a workflow file must be a mapping", "apiVersion, kind, metadata and spec", root.KindName);
            return null;
        }

        var stem = Path.GetFileNameWithoutExtension(fileName);
        if (format == WorkflowFormat.N8n || (format == WorkflowFormat.Auto && N8nImporter.Looks(doc)))
        {
            if (N8nImporter.Convert(doc, stem, bag) is not { } converted)
            {
                return null;
            }

            doc = converted;
            format = WorkflowFormat.N8n;
        }
        else
        {
            format = WorkflowFormat.FlowMesh;
        }

        foreach (var key in doc.Entries.Select(e => e.Key).Where(k => !RootKeys.Contains(k.Text, StringComparer.Ordinal)))
        {
            bag.Add(key, key.Text, $"unknown top-level field '{key.Text}'", "one of apiVersion, kind, metadata, spec");
        }

        var validator = new SpecValidator(bag);
        var (name, owner, description) = Metadata(doc["metadata"], validator);
        var kind = doc["kind"] is ScalarNode { Kind: ScalarKind.String } k ? k.Text : null;
        if (!doc.TryGet("spec", out var specNode))
        {
            bag.Add(doc, string.Empty, "missing required field 'spec'", "spec: {taskType: ...} or spec.stages or spec.graph.nodes");
            return null;
        }

        if (specNode is not MappingNode spec)
        {
            bag.Add(specNode, "spec", "'spec' must be a mapping", "a mapping", specNode.KindName);
            return null;
        }

        var entries = WorkflowExpander.Expand(spec, name, bag);
        var checker = new DagChecker(entries, bag);
        var deps = checker.CheckEdges();
        var tasks = new List<TaskDefinition>(entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            var type = validator.Validate(entry.Spec, entry.Path);
            if (validator.Condition is { } condition)
            {
                checker.CheckCondition(entry, condition, entry.Spec["condition"]!);
            }

            checker.CheckReferences(i, validator.References);
            if (bag.HasErrors || type is null)
            {
                continue;
            }

            var json = SourceToJson.Object(entry.Spec);
            json["dependsOn"] = new JsonArray([.. deps[i].Select(d => (JsonNode)JsonValue.Create(d))]);
            tasks.Add(new TaskDefinition(entry.Name, type, deps[i], json, validator.Resources, validator.Condition));
        }

        return new WorkflowDefinition(name ?? stem, owner, description, kind, fileName, format, tasks);
    }

    private static (string? Name, string? Owner, string? Description) Metadata(SourceNode? node, SpecValidator validator)
    {
        if (node is null || node is ScalarNode { IsNull: true })
        {
            return default;
        }

        if (validator.Mapping(node, "metadata") is not { } meta)
        {
            return default;
        }

        validator.Keys(meta, "metadata", "metadata", MetadataKeys);
        var name = meta["name"] is { } n ? validator.String(n, "metadata.name") : null;
        var owner = meta["owner"] is { } o ? validator.String(o, "metadata.owner") : null;
        string? description = null;
        if (meta["annotations"] is { } a && validator.Mapping(a, "metadata.annotations") is { } annotations)
        {
            validator.Keys(annotations, "metadata.annotations", "annotations", AnnotationKeys);
            if (annotations["description"] is { } d)
            {
                description = validator.String(d, "metadata.annotations.description");
            }
        }

        return (name, owner, description);
    }
}
