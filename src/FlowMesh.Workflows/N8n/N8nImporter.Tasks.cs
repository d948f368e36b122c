using System.Text.Json;
using FlowMesh.Workflows.Source;

namespace FlowMesh.Workflows.N8n;

internal static partial class N8nImporter
{
    private static N8nRole SetRole(string name)
    {
        var n = name.TrimStart();
        bool Starts(string prefix) => n.StartsWith(prefix, StringComparison.OrdinalIgnoreCase);
        return true switch
        {
            _ when Starts("Input") || Starts("Data") || Starts("Format") => N8nRole.SetData,
            _ when Starts("Runtime") => N8nRole.SetRuntime,
            _ when Starts("Resource") => N8nRole.SetResources,
            _ when Starts("Training") => N8nRole.SetTraining,
            _ when Starts("Checkpoint") => N8nRole.SetCheckpoint,
            _ => N8nRole.UnknownSet,
        };
    }

    private static MappingNode BuildTask(N8nNode task, Dictionary<string, N8nNode> nodes, List<(string From, string To, string Kind)> edges, DiagnosticBag bag)
    {
        var mark = task.Source.Mark;
        var model = edges.Where(e => e.To == task.Name && e.Kind == "ai_languageModel").Select(e => nodes[e.From]).FirstOrDefault();
        var type = TaskTypeOf(task, model, bag);
        var spec = new List<(string, SourceNode)> { ("taskType", Str(mark, type)) };
        var deps = new List<string>();
        SourceNode? data = null, resources = null, runtime = null, training = null, checkpoint = null;

        // Walk main predecessors, passing through Set nodes so that A -> Format -> B makes B depend on A.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var frontier = new Stack<(string Name, N8nNode? ViaSet)>(Predecessors(task.Name).Select(p => (p, (N8nNode?)null)));
        while (frontier.Count > 0)
        {
            var (name, viaSet) = frontier.Pop();
            if (!seen.Add(name))
            {
                continue;
            }

            var pred = nodes[name];
            switch (pred.Role)
            {
                case N8nRole.Task:
                    deps.Add(pred.Name);
                    if (viaSet?.Role == N8nRole.SetCheckpoint && checkpoint is MappingNode cp)
                    {
                        checkpoint = Map(cp.Mark, [("source", Str(cp.Mark, pred.Name)), .. cp.Entries.Select(e => (e.Key.Text, e.Value))]);
                    }

                    break;
                case N8nRole.SetData or N8nRole.SetResources or N8nRole.SetRuntime or N8nRole.SetTraining or N8nRole.SetCheckpoint:
                    if (viaSet is null)
                    {
                        var value = ReadJsonOutput(pred, bag) as SourceNode;
                        switch (pred.Role)
                        {
                            case N8nRole.SetData: data = value; break;
                            case N8nRole.SetResources: resources = value; break;
                            case N8nRole.SetRuntime: runtime = value; break;
                            case N8nRole.SetTraining: training = value; break;
                            default: checkpoint = value; break;
                        }
                    }

                    foreach (var p in Predecessors(pred.Name))
                    {
                        frontier.Push((p, viaSet ?? pred));
                    }

                    break;
            }
        }

        var text = task.Parameters["text"] as ScalarNode;
        if (type == "api")
        {
            var messages = new List<SourceNode>();
            var prompt = text?.Text ?? string.Empty;
            if (task.Parameters["responses"] is MappingNode { } responses && responses["values"] is SequenceNode values)
            {
                prompt = string.Join("\n", values.Items.OfType<MappingNode>().Select(v => (v["content"] as ScalarNode)?.Text).Where(c => c is not null));
            }

            // A call downstream of another answers on top of the upstream text, as FlowMesh's api stages do.
            foreach (var dep in deps)
            {
                prompt += $"\n${{{dep}.text}}";
            }

            messages.Add(Map(mark, ("role", Str(mark, "user")), ("content", Str(mark, prompt.Trim()))));
            var body = new List<(string, SourceNode)>();
            if (model is not null || ModelId(task.Parameters).Length > 0)
            {
                body.Add(("model", Str(mark, model is not null ? ModelId(model.Parameters) : ModelId(task.Parameters))));
            }

            body.Add(("messages", new SequenceNode(mark, messages)));
            spec.Add(("api", Map(mark, ("method", Str(mark, "POST")), ("body", Map(mark, [.. body])))));
        }
        else
        {
            if (model is not null)
            {
                var source = Map(model.Source.Mark, ("type", Str(mark, "huggingface")), ("identifier", Str(model.Source.Mark, ModelId(model.Parameters))));
                spec.Add(("model", runtime is null ? Map(mark, ("source", source)) : Map(mark, ("source", source), ("vllm", runtime))));
                if (model.Parameters["options"] is MappingNode options && options.Entries.Count > 0)
                {
                    spec.Add(("inference", Map(options.Mark, [.. options.Entries.Select(e => (InferenceKey(e.Key.Text), e.Value))])));
                }
            }

            data ??= text is null ? null : Map(mark, ("type", Str(mark, "list")), ("items", new SequenceNode(mark, [Str(text.Mark, text.Text)])));
            if (data is not null)
            {
                spec.Add(("data", data));
            }

            if (training is not null)
            {
                spec.Add(("training", training));
            }

            if (checkpoint is not null)
            {
                spec.Add(("checkpoint", checkpoint));
            }
        }

        if (resources is not null)
        {
            spec.Add(("resources", resources));
        }

        var entry = new List<(string, SourceNode)> { ("name", Str(mark, task.Name)) };
        if (deps.Count > 0)
        {
            entry.Add(("dependsOn", new SequenceNode(mark, [.. deps.Select(d => (SourceNode)Str(mark, d))])));
        }

        entry.Add(("spec", Map(mark, [.. spec])));
        return Map(mark, [.. entry]);

        IEnumerable<string> Predecessors(string name) => edges.Where(e => e.To == name && e.Kind == "main").Select(e => e.From);
    }

    private static string TaskTypeOf(N8nNode task, N8nNode? model, DiagnosticBag bag)
    {
        if (task.Source["notes"] is ScalarNode { Kind: ScalarKind.String } notes && notes.Text.TrimStart().StartsWith('{'))
        {
            try
            {
                using var json = JsonDocument.Parse(notes.Text);
                if (json.RootElement.TryGetProperty("taskType", out var t) && t.ValueKind == JsonValueKind.String)
                {
                    return t.GetString()!;
                }
            }
            catch (JsonException ex)
            {
                bag.Add(notes, $"{task.Path}.notes", $"notes look like JSON but do not parse: {ex.Message}");
            }
        }

        var local = task.Type[(task.Type.LastIndexOf('.') + 1)..];
        var modelType = model?.Type ?? string.Empty;
        return local == "openAi" || modelType.Contains("OpenAi", StringComparison.OrdinalIgnoreCase) ? "api" : "inference";
    }

    private static string InferenceKey(string n8nKey) => n8nKey switch
    {
        "maxTokens" => "max_tokens",
        "topK" => "top_k",
        "topP" => "top_p",
        "frequencyPenalty" => "frequency_penalty",
        "presencePenalty" => "presence_penalty",
        _ => n8nKey,
    };

    private static ScalarNode Str(SourceMark mark, string text) => new(mark, text, ScalarKind.String);

    private static MappingNode Map(SourceMark mark, params (string Key, SourceNode Value)[] entries) =>
        new(mark, [.. entries.Select(e => new KeyValuePair<ScalarNode, SourceNode>(Str(mark, e.Key), e.Value))]);
}
