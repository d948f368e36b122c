using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FlowMesh.Tests.Support;

/// <summary>
/// A small OpenAI-compatible server on 127.0.0.1 (real HTTP) standing in for an external model endpoint: it answers
/// chat completions with "echo: PROMPT", can refuse the first requests with 429 + Retry-After, and records what it saw.
/// </summary>
internal sealed class OpenAiStub : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _inFlight;
    private int _refusalsLeft;

    private OpenAiStub(WebApplication app, int refusals)
    {
        _app = app;
        _refusalsLeft = refusals;
    }

    public Uri BaseAddress { get; private set; } = null!;

    public int MaxInFlight { get; private set; }

    public ConcurrentQueue<(DateTimeOffset At, int Status, string Prompt)> Seen { get; } = new();

    public static async Task<OpenAiStub> StartAsync(int refuseFirst = 0, TimeSpan? delay = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var stub = new OpenAiStub(app, refuseFirst);
        app.MapPost("/v1/chat/completions", async (HttpContext http) =>
        {
            var body = await http.Request.ReadFromJsonAsync<JsonObject>();
            var prompt = body?["messages"]?[0]?["content"]?.GetValue<string>() ?? string.Empty;
            var now = Interlocked.Increment(ref stub._inFlight);
            lock (stub)
            {
                stub.MaxInFlight = Math.Max(stub.MaxInFlight, now);
            }

            try
            {
                await Task.Delay(delay ?? TimeSpan.FromMilliseconds(50));
                if (Interlocked.Decrement(ref stub._refusalsLeft) >= 0)
                {
                    stub.Seen.Enqueue((DateTimeOffset.UtcNow, 429, prompt));
                    http.Response.Headers.RetryAfter = "1";
                    return Results.Json(new { error = "slow down" }, statusCode: 429);
                }

                stub.Seen.Enqueue((DateTimeOffset.UtcNow, 200, prompt));
                return Results.Json(new
                {
                    id = "cmpl-test",
                    model = body?["model"]?.GetValue<string>(),
                    choices = new[] { new { index = 0, message = new { role = "assistant", content = $"echo: {prompt}" } } },
                    usage = new { prompt_tokens = prompt.Length, completion_tokens = prompt.Length + 6, total_tokens = (2 * prompt.Length) + 6 },
                });
            }
            finally
            {
                Interlocked.Decrement(ref stub._inFlight);
            }
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        stub.BaseAddress = new Uri(address);
        return stub;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
