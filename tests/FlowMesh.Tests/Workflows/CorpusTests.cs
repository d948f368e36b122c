using FlowMesh.Tests.Support;
using FlowMesh.Workflows;
using YamlDotNet.RepresentationModel;

namespace FlowMesh.Tests.Workflows;

[Trait("Category", "Unit")]
public sealed class CorpusTests(ITestOutputHelper output)
{
    [Fact]
    public void ParseFile_EveryCorpusTemplate_IsValid()
    {
        if (!Corpus.Available(output))
        {
            return;
        }

        var files = Corpus.AllFiles().ToList();
        Assert.Equal(61, files.Count);
        var failures = files.Select(f => (f, r: WorkflowParser.ParseFile(f))).Where(x => !x.r.Success)
            .Select(x => $"{x.f}: {string.Join("; ", x.r.Diagnostics)}").ToList();
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>Reads each YAML template with a plain YAML reader and checks names, edges and types against the expansion.</summary>
    [Fact]
    public void ParseFile_CorpusYaml_ExpandsToTheDagTheFileDescribes()
    {
        if (!Corpus.Available(output))
        {
            return;
        }

        foreach (var file in Corpus.AllFiles().Where(f => f.EndsWith(".yaml", StringComparison.Ordinal)))
        {
            var expected = ExpectedDag(file);
            var parsed = WorkflowParser.ParseFile(file);
            Assert.True(parsed.Success, file);
            var actual = parsed.Workflow!.Tasks.Select(t => (t.Name, t.TaskType, string.Join(",", t.DependsOn.Order(StringComparer.Ordinal)))).ToList();
            Assert.Equal(expected, actual);
        }
    }

    [Theory]
    [InlineData("api_two_stage.json", "Basic LLM Chain:api:|Message a model:api:Basic LLM Chain")]
    [InlineData("dag_inference.json", "Inference A:inference:|Inference B:inference:|Synthesis:inference:Inference A,Inference B")]
    [InlineData("sft_then_inference.json", "SFT:sft:|Inference:inference:SFT")]
    public void ParseFile_N8nExport_BecomesTasksWithEdges(string file, string expected)
    {
        if (!Corpus.Available(output))
        {
            return;
        }

        var parsed = WorkflowParser.ParseFile(Path.Combine(Corpus.Templates, "n8n", file));
        Assert.True(parsed.Success, string.Join("\n", parsed.Diagnostics));
        Assert.Equal(WorkflowFormat.N8n, parsed.Workflow!.Format);
        var actual = string.Join("|", parsed.Workflow.Tasks.OrderBy(t => t.Name == "Synthesis").Select(t => $"{t.Name}:{t.TaskType}:{string.Join(",", t.DependsOn.Order(StringComparer.Ordinal))}"));
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void ParseFile_N8nDagInference_CarriesModelResourcesAndFormatData()
    {
        if (!Corpus.Available(output))
        {
            return;
        }

        var wf = WorkflowParser.ParseFile(Path.Combine(Corpus.Templates, "n8n", "dag_inference.json")).Workflow!;
        var a = wf.Tasks.Single(t => t.Name == "Inference A");
        Assert.Equal("meta-llama/Llama-3.2-1B-Instruct", a.Spec["model"]!["source"]!["identifier"]!.GetValue<string>());
        Assert.Equal(0.9, a.Spec["model"]!["vllm"]!["gpu_memory_utilization"]!.GetValue<double>());
        Assert.Equal(1, a.Resources.GpuCount);
        Assert.Equal(128, a.Spec["inference"]!["max_tokens"]!.GetValue<long>());
        var synthesis = wf.Tasks.Single(t => t.Name == "Synthesis");
        Assert.Equal("graph_template", synthesis.Spec["data"]!["type"]!.GetValue<string>());
    }

    private static List<(string, string, string)> ExpectedDag(string file)
    {
        var stream = new YamlStream();
        using (var reader = File.OpenText(file))
        {
            stream.Load(reader);
        }

        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        var spec = (YamlMappingNode)root["spec"];
        string? Str(YamlMappingNode m, string key) => m.Children.TryGetValue(key, out var v) && v is YamlScalarNode s ? s.Value : null;
        string? Type(YamlMappingNode own) =>
            (own.Children.TryGetValue("spec", out var s) && s is YamlMappingNode sm ? Str(sm, "taskType") : null) ?? Str(spec, "taskType");
        List<string>? Deps(YamlMappingNode m) => m.Children.TryGetValue("dependsOn", out var d) && d is YamlSequenceNode seq
            ? [.. seq.Children.Select(c => ((YamlScalarNode)c).Value!)] : null;

        YamlSequenceNode? entries = null;
        var sequential = false;
        if (spec.Children.TryGetValue("stages", out var stages))
        {
            entries = (YamlSequenceNode)stages;
            sequential = true;
        }
        else if (spec.Children.TryGetValue("graph", out var graph))
        {
            entries = (YamlSequenceNode)((YamlMappingNode)graph)["nodes"];
        }

        if (entries is null)
        {
            var name = root.Children.TryGetValue("metadata", out var meta) ? Str((YamlMappingNode)meta, "name") : null;
            return [(name ?? Path.GetFileNameWithoutExtension(file), Str(spec, "taskType")!, string.Empty)];
        }

        var result = new List<(string, string, string)>();
        string? previous = null;
        var i = 0;
        foreach (YamlMappingNode entry in entries.Children.Cast<YamlMappingNode>())
        {
            i++;
            var name = Str(entry, "name") ?? Str(entry, "id") ?? (sequential ? $"stage-{i}" : $"node-{i}");
            var deps = Deps(entry) ?? (sequential && previous is not null ? [previous] : []);
            result.Add((name, Type(entry)!, string.Join(",", deps.Order(StringComparer.Ordinal))));
            previous = name;
        }

        return result;
    }
}
