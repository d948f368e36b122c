using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

// Takes vLLM's command line (--model M --port P [--host H] and any engine flags, which it ignores) and serves the
// OpenAI-compatible routes a model server has. Answers are deterministic so tests can check them.
var model = Arg("--model") ?? "test-model";
var port = int.Parse(Arg("--port") ?? "8000", CultureInfo.InvariantCulture);
var host = Arg("--host") ?? "127.0.0.1";
var started = DateTimeOffset.UtcNow;
var served = 0;

var builder = WebApplication.CreateSlimBuilder();
builder.WebHost.UseUrls($"http://{host}:{port}");
builder.Logging.ClearProviders();
var app = builder.Build();
app.MapGet("/health", () => Results.Ok());
app.MapGet("/v1/models", () => Results.Json(new { @object = "list", data = new[] { new { id = model, @object = "model" } } }));
app.MapPost("/v1/chat/completions", async (HttpContext http) =>
{
    var body = await http.Request.ReadFromJsonAsync<JsonObject>();
    var prompt = body?["messages"]?.AsArray().LastOrDefault()?["content"]?.GetValue<string>() ?? string.Empty;
    return Answer(prompt, body);
});
app.MapPost("/v1/completions", async (HttpContext http) =>
{
    var body = await http.Request.ReadFromJsonAsync<JsonObject>();
    return Answer(body?["prompt"]?.GetValue<string>() ?? string.Empty, body);
});
app.MapPost("/v1/embeddings", async (HttpContext http) =>
{
    var body = await http.Request.ReadFromJsonAsync<JsonObject>();
    var inputs = body?["input"] is JsonArray a ? a.Select(x => x!.GetValue<string>()).ToArray() : [body?["input"]?.GetValue<string>() ?? string.Empty];
    Interlocked.Add(ref served, inputs.Length);
    return Results.Json(new
    {
        @object = "list",
        model,
        data = inputs.Select((text, i) => new { @object = "embedding", index = i, embedding = new[] { text.Length, text.Count(char.IsWhiteSpace) + 1.0, 1.0 } }),
        usage = new { prompt_tokens = inputs.Sum(t => t.Length), total_tokens = inputs.Sum(t => t.Length) },
    });
});
Console.WriteLine($"test model server: {model} on {host}:{port}");
await app.RunAsync();

IResult Answer(string prompt, JsonObject? body)
{
    var n = Interlocked.Increment(ref served);
    var text = $"[{model}] {prompt.ToUpperInvariant()}";
    return Results.Json(new
    {
        id = $"cmpl-{n}",
        @object = "chat.completion",
        model,
        choices = new[] { new { index = 0, message = new { role = "assistant", content = text }, text, finish_reason = "stop" } },
        usage = new { prompt_tokens = prompt.Length, completion_tokens = text.Length, total_tokens = prompt.Length + text.Length },
        system_fingerprint = $"started {started:O}, served {n}, max_tokens {body?["max_tokens"]}",
    });
}

string? Arg(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
