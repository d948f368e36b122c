using System.Text.Json.Nodes;
using FlowMesh.Engine.Results;

namespace FlowMesh.Engine.Executors;

/// <summary>
/// FlowMesh's echo: each item of <c>data.items</c> is a literal or a <c>{node, path}</c> / <c>{expr}</c> reference into
/// an upstream result; lists are flattened; the result is <c>{items: [{output}], count}</c>.
/// </summary>
internal sealed class EchoExecutor : IExecutor
{
    public string TaskType => "echo";

    public bool IsAvailable => true;

    public Task<ExecutionOutcome> ExecuteAsync(ExecutionRequest request, ITaskLog log, CancellationToken cancellationToken)
    {
        if (request.Spec["data"]?["items"] is not JsonArray items)
        {
            throw new ExecutionException("echo executor requires spec.data.items to be a list");
        }

        var outputs = new JsonArray();
        foreach (var item in items)
        {
            Append(outputs, Resolve(item, request.UpstreamResults));
        }

        log.Write("stdout", $"echoed {outputs.Count} item(s)");
        return Task.FromResult(ExecutionOutcome.Success(new JsonObject { ["items"] = outputs, ["count"] = outputs.Count }));
    }

    internal static JsonNode? Resolve(JsonNode? item, IReadOnlyDictionary<string, JsonNode?> upstream)
    {
        if (item is not JsonObject o)
        {
            return item?.DeepClone();
        }

        var expr = o["expr"]?.GetValue<string>();
        if (string.IsNullOrWhiteSpace(expr) && o["node"] is JsonValue n && o["path"] is JsonValue p)
        {
            expr = $"{n.GetValue<string>()}.{p.GetValue<string>()}";
        }

        if (string.IsNullOrWhiteSpace(expr))
        {
            throw new ExecutionException("echo executor mapping item must contain either 'expr' or both 'node' and 'path'");
        }

        expr = expr.Trim();
        var dot = expr.IndexOf('.', StringComparison.Ordinal);
        var node = dot < 0 ? expr : expr[..dot];
        if (!upstream.TryGetValue(node, out var root))
        {
            throw new ExecutionException($"echo executor expression '{expr}' names '{node}', which is not an upstream task");
        }

        var value = dot < 0 ? root : ResultPath.Evaluate(root, expr[(dot + 1)..]);
        return value?.DeepClone() ?? throw new ExecutionException($"echo executor expression resolved to null: '{expr}'");
    }

    private static void Append(JsonArray outputs, JsonNode? value)
    {
        if (value is JsonArray list)
        {
            foreach (var element in list)
            {
                Append(outputs, element?.DeepClone());
            }

            return;
        }

        outputs.Add(new JsonObject { ["output"] = value });
    }
}
