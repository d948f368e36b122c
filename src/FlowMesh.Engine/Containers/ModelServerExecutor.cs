using System.Net.Http.Json;
using System.Text.Json.Nodes;
using FlowMesh.Engine.Executors;

namespace FlowMesh.Engine.Containers;

/// <summary>
/// FlowMesh's <c>inference</c> and <c>embedding</c> tasks: a model server (vLLM's OpenAI-compatible server, or the
/// image configured for the engine) runs in a container on the GPUs the task was given; the task's rows go through its
/// chat-completions or embeddings API; the server stays warm for the next task on the same model.
/// </summary>
internal sealed class ModelServerExecutor(string taskType, ModelServerPool pool, ModelServerOptions options) : IExecutor, IAsyncDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromMinutes(10) };

    public string TaskType { get; } = taskType;

    public bool IsAvailable => true;

    public ModelServerPool Pool => pool;

    /// <summary>Stops the node's model servers (the pool is shared; stopping twice is harmless).</summary>
    public async ValueTask DisposeAsync()
    {
        await pool.DisposeAsync().ConfigureAwait(false);
        _http.Dispose();
    }

    public async Task<ExecutionOutcome> ExecuteAsync(ExecutionRequest request, ITaskLog log, CancellationToken cancellationToken)
    {
        var spec = request.Spec;
        var modelSpec = spec["model"] as JsonObject ?? throw new ExecutionException($"{TaskType} needs a model");
        var model = (modelSpec["source"] as JsonObject)?["identifier"]?.GetValue<string>() ?? throw new ExecutionException($"{TaskType} needs model.source.identifier");
        var engine = modelSpec.ContainsKey("transformers") && !modelSpec.ContainsKey("vllm") ? "transformers" : "vllm";
        var engineArgs = modelSpec[engine] as JsonObject ?? [];
        var rows = Rows(spec);
        var (server, reused) = await pool.AcquireAsync(engine, model, engineArgs, request, log, cancellationToken).ConfigureAwait(false);
        log.Write("stdout", $"{TaskType}: {rows.Count} row(s) on {(reused ? "the warm" : "a new")} {engine} server for {model}");
        JsonArray items;
        try
        {
            items = TaskType == "embedding"
                ? await EmbedAsync(server, model, rows, cancellationToken).ConfigureAwait(false)
                : await CompleteAsync(server, model, rows, spec["inference"] as JsonObject, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or System.Text.Json.JsonException or OperationCanceledException)
        {
            // A server that failed (or was interrupted) mid-task is not trusted with the next one.
            await pool.DiscardAsync(server).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            return ExecutionOutcome.Failure($"model server for {model}: {ex.Message}");
        }

        pool.Release(server);
        return ExecutionOutcome.Success(new JsonObject
        {
            ["model"] = model,
            ["engine"] = engine,
            ["count"] = items.Count,
            ["items"] = items,
            ["server"] = new JsonObject { ["reused"] = reused, ["container"] = server.ContainerId[..12], ["tasksServed"] = server.TasksServed },
        });
    }

    private async Task<JsonArray> CompleteAsync(ModelServer server, string model, List<string> rows, JsonObject? inference, CancellationToken cancellationToken)
    {
        var items = new JsonNode?[rows.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, rows.Count), new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency, CancellationToken = cancellationToken },
            async (index, ct) =>
            {
                var prompt = rows[index];
                var body = new JsonObject { ["model"] = model, ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = prompt }) };
                foreach (var (key, value) in inference ?? [])
                {
                    body[key] = value?.DeepClone();
                }

                using var response = await _http.PostAsJsonAsync(new Uri(server.BaseAddress, "v1/chat/completions"), body, ct).ConfigureAwait(false);
                response.EnsureSuccessStatusCode();
                var answer = await response.Content.ReadFromJsonAsync<JsonObject>(ct).ConfigureAwait(false);
                items[index] = new JsonObject
                {
                    ["index"] = index,
                    ["prompt"] = prompt,
                    ["output"] = answer?["choices"]?[0]?["message"]?["content"]?.DeepClone(),
                    ["usage"] = answer?["usage"]?.DeepClone(),
                };
            }).ConfigureAwait(false);
        return new JsonArray(items);
    }

    private async Task<JsonArray> EmbedAsync(ModelServer server, string model, List<string> rows, CancellationToken cancellationToken)
    {
        var items = new JsonArray();
        foreach (var chunk in rows.Chunk(64))
        {
            var body = new JsonObject { ["model"] = model, ["input"] = new JsonArray([.. chunk.Select(r => (JsonNode)r)]) };
            using var response = await _http.PostAsJsonAsync(new Uri(server.BaseAddress, "v1/embeddings"), body, cancellationToken).ConfigureAwait(false);
            response.EnsureSuccessStatusCode();
            var answer = await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken).ConfigureAwait(false);
            foreach (var data in answer?["data"]?.AsArray() ?? [])
            {
                var index = items.Count;
                items.Add(new JsonObject { ["index"] = index, ["text"] = rows[index], ["embedding"] = data?["embedding"]?.DeepClone() });
            }
        }

        return items;
    }

    private static List<string> Rows(JsonObject spec)
    {
        if (spec["data"] is not JsonObject data || data["items"] is not JsonArray list)
        {
            var type = spec["data"]?["type"]?.ToString() ?? "none";
            throw new ExecutionException($"data type '{type}' is not supported by this node's model-server executor; give the rows as data: {{type: list, items: [...]}}");
        }

        return [.. list.Select(i => i is JsonValue v && v.TryGetValue<string>(out var s) ? s : i?.ToJsonString() ?? string.Empty)];
    }
}
