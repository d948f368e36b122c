using System.Text.Json.Nodes;
using FlowMesh.Abstractions;
using FlowMesh.Tests.Support;

namespace FlowMesh.Tests.Executors;

/// <summary>FlowMesh's api task run by the engine against a real OpenAI-compatible HTTP endpoint on loopback.</summary>
[Trait("Category", "Integration")]
public sealed class ApiExecutorTests
{
    [Fact]
    public async Task Run_BatchWithRateLimitedEndpoint_RetriesAfterRetryAfterAndKeepsRowsAligned()
    {
        await using var stub = await OpenAiStub.StartAsync(refuseFirst: 2);
        await using var harness = await EngineHarness.StartAsync();

        var (state, tasks) = await harness.RunAsync($$$"""
            apiVersion: flowmesh/v1
            kind: APITask
            metadata: {name: api-batch}
            spec:
              taskType: api
              data: {type: list, items: [one, two, three, four, five]}
              api:
                url: {{{stub.BaseAddress}}}v1/chat/completions
                method: POST
                headers: {Content-Type: application/json}
                body:
                  model: test-model
                  messages: [{role: user, content: "{{prompt}}"}]
                retries: 3
                concurrency: 2
                response: {parse_json: true, return_body: true, raise_for_status: true}
            """);

        Assert.True(state == WorkflowState.Succeeded, tasks[0].Error);
        var result = JsonNode.Parse(tasks[0].Result!)!;
        var items = result["items"]!.AsArray();
        Assert.Equal(["echo: one", "echo: two", "echo: three", "echo: four", "echo: five"], items.Select(i => i!["text"]!.GetValue<string>()));
        Assert.Equal([0, 1, 2, 3, 4], items.Select(i => i!["index"]!.GetValue<int>()));
        Assert.All(items, i => Assert.Equal(200, i!["status_code"]!.GetValue<int>()));
        Assert.True(stub.MaxInFlight <= 2, $"{stub.MaxInFlight} requests were in flight at once; the limit is 2");

        // Each refused row came back no sooner than the second its Retry-After asked for.
        var seen = stub.Seen.ToArray();
        Assert.Equal(2, seen.Count(s => s.Status == 429));
        foreach (var refused in seen.Where(s => s.Status == 429))
        {
            var retry = seen.First(s => s.Status == 200 && s.Prompt == refused.Prompt);
            Assert.True(retry.At - refused.At >= TimeSpan.FromSeconds(0.9), $"{refused.Prompt} was retried after {(retry.At - refused.At).TotalSeconds:0.###}s");
        }
    }

    [Fact]
    public async Task Run_EndpointKeepsRefusing_FailsNamingTheRowAndStatus()
    {
        await using var stub = await OpenAiStub.StartAsync(refuseFirst: 100);
        await using var harness = await EngineHarness.StartAsync();

        var (state, tasks) = await harness.RunAsync($$$"""
            apiVersion: flowmesh/v1
            kind: APITask
            metadata: {name: api-refused}
            spec:
              taskType: api
              data: {type: list, items: [only]}
              api:
                url: {{{stub.BaseAddress}}}v1/chat/completions
                body: {messages: [{role: user, content: "{{prompt}}"}]}
                retries: 1
            """);

        Assert.Equal(WorkflowState.Failed, state);
        Assert.StartsWith("API request returned status 429 (row 0)", tasks[0].Error, StringComparison.Ordinal);
        Assert.Equal(2, stub.Seen.Count);
    }
}
