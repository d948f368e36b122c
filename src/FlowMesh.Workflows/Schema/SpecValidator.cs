using System.Text.RegularExpressions;
using FlowMesh.Workflows.Source;

namespace FlowMesh.Workflows.Schema;

/// <summary>
/// Checks one task's effective spec against the fields its taskType takes. Every problem is reported with its field
/// path and line; nothing stops at the first error.
/// </summary>
internal sealed partial class SpecValidator(DiagnosticBag bag)
{
    private static readonly string[] CommonFields = ["taskType", "resources", "output", "dependsOn", "condition", "shard", "parallel", "retry", "priority", "nodeSelector", "secrets", "cache", "fallback", "map"];
    private static readonly string[] ModelInferFields = ["model", "data", "inference", "checkpoint", "postprocess"];
    private static readonly string[] TrainingFields = ["model", "data", "training", "checkpoint", "lora", "reward_model", "generation", "postprocess"];
    private static readonly string[] DataTypes = ["list", "dataset", "graph_template", "dataframe", "sql", "s3", "lumid", "agent"];

    private static readonly Dictionary<string, string[]> TypeFields = BuildTypeFields();

    public ResourceRequest Resources { get; private set; } = ResourceRequest.None;

    public TaskCondition? Condition { get; private set; }

    public List<SpecReference> References { get; } = [];

    /// <summary>Validates <paramref name="spec"/>; returns the taskType when it is known.</summary>
    public string? Validate(MappingNode spec, string path)
    {
        Resources = ResourceRequest.None;
        Condition = null;
        References.Clear();

        string? type = null;
        if (!spec.TryGet("taskType", out var typeNode))
        {
            bag.Add(spec, path, "missing required field 'taskType'", $"one of {string.Join(", ", TaskTypes.All)}");
        }
        else if (String(typeNode, $"{path}.taskType") is { } t)
        {
            if (TaskTypes.IsKnown(t))
            {
                type = t;
            }
            else
            {
                bag.Add(typeNode, $"{path}.taskType", $"unknown taskType '{t}'", $"one of {string.Join(", ", TaskTypes.All)}", $"'{t}'");
            }
        }

        var allowed = type is null ? null : TypeFields[type];
        foreach (var (key, value) in spec.Entries)
        {
            var fieldPath = $"{path}.{key.Text}";
            if (key.Text == "_upstreamResults")
            {
                bag.Add(key, fieldPath, "'_upstreamResults' is injected by the server and cannot be set in a workflow");
                continue;
            }

            if (allowed is not null && !CommonFields.Contains(key.Text) && !allowed.Contains(key.Text))
            {
                bag.Add(key, fieldPath, $"unknown field '{key.Text}' for taskType {type}", $"one of {string.Join(", ", CommonFields.Concat(allowed))}");
                continue;
            }

            CheckField(type, key.Text, value, fieldPath);
        }

        if (type is not null)
        {
            CheckRequired(type, spec, path);
        }

        CollectTemplateReferences(spec, path);
        return type;
    }

    private static Dictionary<string, string[]> BuildTypeFields()
    {
        var map = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var t in TaskTypes.ModelInfer)
        {
            map[t] = ModelInferFields;
        }

        map["inference"] = [.. ModelInferFields, "enforce_cpu"];
        foreach (var t in TaskTypes.ModelInfer.Where(t => t.StartsWith("omni_", StringComparison.Ordinal)))
        {
            map[t] = [.. ModelInferFields, "omni"];
        }

        foreach (var t in TaskTypes.Training)
        {
            map[t] = TrainingFields;
        }

        map["rag"] = ["data", "qdrant", "embedding", "search", "model", "inference"];
        map["agent"] = ["configName", "task", "agent", "data", "model", "env"];
        map["api"] = ["api", "data"];
        map["data_profiling"] = ["data", "model", "inference"];
        map["data_retrieval"] = ["data", "model", "inference"];
        map["echo"] = ["data"];
        map["ssh"] = ["interactive", "image", "user", "authorizedKeys", "command", "entrypoint", "ttlSeconds", "idleTimeoutSeconds", "accessMode", "inputs", "sshOutput", "env", "network"];
        map["container"] = ["image", "command", "args", "entrypoint", "env", "workingDir", "mounts", "network", "timeoutSeconds", "inputs", "outputPath"];
        map["serve"] = ["model", "accessMode", "apiKey", "ttlSeconds", "port", "inference"];
        map["approval"] = ["approval", "data"];
        map["python"] = ["code", "entrypoint", "image", "requirements", "inputs", "timeoutSeconds", "network", "env", "emits", "pythonOutput"];
        return map;
    }

    private void CheckField(string? type, string key, SourceNode value, string path)
    {
        switch (key)
        {
            case "taskType":
                break;
            case "resources":
                CheckResources(value, path);
                break;
            case "output":
                CheckOutput(value, path);
                break;
            case "dependsOn" or "emits" or "requirements" or "authorizedKeys" or "command" or "args" or "entrypoint" when key != "entrypoint" || type != "python":
                StringList(value, path);
                break;
            case "condition":
                CheckCondition(value, path);
                break;
            case "model":
                CheckModel(value, path);
                break;
            case "data":
                CheckData(type, value, path);
                break;
            case "inputs":
                CheckInputs(value, path);
                break;
            case "mounts":
                CheckMounts(value, path);
                break;
            case "code" or "configName" or "task" or "image" or "user" or "apiKey" or "entrypoint" or "workingDir" or "outputPath":
                String(value, path);
                break;
            case "accessMode":
                OneOf(value, path, "direct", "proxy", "forward");
                break;
            case "network":
                OneOf(value, path, "none", "bridge", "host");
                break;
            case "interactive" or "enforce_cpu":
                Bool(value, path);
                break;
            case "ttlSeconds" or "idleTimeoutSeconds" or "timeoutSeconds" or "port":
                Number(value, path, min: 0);
                break;
            case "env":
                Mapping(value, path);
                break;
            case "retry":
                CheckRetry(value, path);
                break;
            case "priority":
                CheckPriority(value, path);
                break;
            case "nodeSelector":
                CheckNodeSelector(value, path);
                break;
            case "secrets":
                CheckSecrets(value, path);
                break;
            case "cache":
                CheckCache(value, path);
                break;
            case "fallback":
                CheckFallback(type, value, path);
                break;
            case "map":
                CheckMap(value, path);
                break;
            case "approval" when type == TaskTypes.Approval:
                CheckApproval(value, path);
                break;
            default:
                // Engine arguments, training hyper-parameters and the like are free mappings that executors read.
                if (value is not MappingNode && key is "inference" or "training" or "checkpoint" or "postprocess" or "lora" or "omni" or "api"
                    or "qdrant" or "embedding" or "search" or "agent" or "reward_model" or "generation" or "sshOutput" or "pythonOutput" or "shard" or "parallel")
                {
                    bag.Add(value, path, $"'{key}' must be a mapping", "a mapping", value.KindName);
                }

                break;
        }
    }

    private void CheckRequired(string type, MappingNode spec, string path)
    {
        if (TaskTypes.ModelInfer.Contains(type) || TaskTypes.Training.Contains(type) || type == "serve")
        {
            if (spec["model"] is not MappingNode)
            {
                bag.Add(spec, path, $"taskType {type} needs a 'model' with 'source.identifier'", "model.source.identifier");
            }
        }

        switch (type)
        {
            case "echo":
                if (spec["data"] is null)
                {
                    bag.Add(spec, path, "taskType echo needs 'data' with type list and items", "data: {type: list, items: [...]}");
                }

                break;
            case "python":
                CheckPython(spec, path);
                break;
            case "ssh":
                {
                    var interactive = spec["interactive"] is ScalarNode { Kind: ScalarKind.Bool } i
                        ? i.Text.Equals("true", StringComparison.OrdinalIgnoreCase)
                        : spec["command"] is null && spec["entrypoint"] is null;
                    if (!interactive && spec["command"] is null && spec["entrypoint"] is null)
                    {
                        bag.Add(spec, path, "a non-interactive ssh task needs 'command' or 'entrypoint'", "command: [...]");
                    }

                    break;
                }

            case "container":
                if (spec["image"] is null)
                {
                    bag.Add(spec, path, "taskType container needs an 'image'", "image: <name:tag present on the node>");
                }

                break;
            case "api":
                if (spec["api"] is null && spec["data"] is null)
                {
                    bag.Add(spec, path, "taskType api needs 'api' (url, method, body) or 'data' rows", "api or data");
                }

                if (spec["api"] is MappingNode api)
                {
                    if (api["retries"] is { } r)
                    {
                        Int(r, $"{path}.api.retries", 0, 10);
                    }

                    if (api["concurrency"] is { } c)
                    {
                        Int(c, $"{path}.api.concurrency", 1, 8);
                    }
                }

                break;
            case "rag":
                if (spec["qdrant"] is null)
                {
                    bag.Add(spec, path, "taskType rag needs 'qdrant' (url, collection)", "qdrant");
                }

                break;
            case "agent":
                if (spec["task"] is null && spec["data"] is null)
                {
                    bag.Add(spec, path, "taskType agent needs 'task' or batch 'data'", "task or data");
                }

                break;
            case "data_profiling" or "data_retrieval":
                if (spec["data"] is not MappingNode)
                {
                    bag.Add(spec, path, $"taskType {type} needs 'data' with a type", "data: {type: ...}");
                }

                break;
        }
    }

    private void CheckPython(MappingNode spec, string path)
    {
        if (spec["code"] is not ScalarNode code)
        {
            bag.Add(spec, path, "taskType python needs 'code'", "code: <python source defining the entrypoint>");
        }
        else if (string.IsNullOrWhiteSpace(code.Text))
        {
            bag.Add(code, $"{path}.code", "python code must be non-empty", "python source", "an empty string");
        }
        else if (System.Text.Encoding.UTF8.GetByteCount(code.Text) > 256 * 1024)
        {
            bag.Add(code, $"{path}.code", "python code is larger than 256 KiB");
        }

        if (spec["entrypoint"] is ScalarNode { Kind: ScalarKind.String } ep && !IdentifierPattern().IsMatch(ep.Text))
        {
            bag.Add(ep, $"{path}.entrypoint", "entrypoint must be a Python identifier", "an identifier", $"'{ep.Text}'");
        }

        if (spec["timeoutSeconds"] is ScalarNode ts && ts.TryGetDouble(out var seconds) && seconds is <= 0 or > 3600)
        {
            bag.Add(ts, $"{path}.timeoutSeconds", "timeoutSeconds must be in (0, 3600]", "0 < timeoutSeconds <= 3600", ts.Text);
        }

        if (spec["requirements"] is SequenceNode { Items.Count: > 0 } && spec["network"] is not ScalarNode { Text: "bridge" })
        {
            bag.Add(spec["requirements"], $"{path}.requirements", "requirements are installed with pip and need network: bridge");
        }
    }

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex IdentifierPattern();
}
