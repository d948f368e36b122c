using System.Text.Json;
using FlowMesh.Tests.Support;

namespace FlowMesh.Tests.Agents;

/// <summary>
/// Inference on node agents: the first task starts a model server (our OpenAI-compatible test server in a container,
/// standing in for vLLM) and the node advertises the model as warm; the next task on that model goes to that node,
/// though another node would sort first, and reuses the server.
/// </summary>
[Trait("Category", "Integration")]
public sealed class RemoteInferenceTests(ITestOutputHelper output) : IDisposable
{
    private const string Model = "test/warm-chat";
    private readonly TempDir _dir = new();

    [Fact]
    public async Task Schedule_ModelWarmOnOneNode_NextTaskOnThatModelGoesThereAndReusesTheServer()
    {
        if (!ContainerRuntime.Available(output))
        {
            return;
        }

        var image = await TestImages.WithEntrypointAsync("flowmesh-test-model-server", ContainerRuntime.TestModelServerEntrypoint);
        string[] flags =
        [
            "--model-image", $"vllm={image}", "--docker-host", $"unix://{ContainerRuntime.Socket}", "--container-network", "none",
            .. ContainerRuntime.TestModelServerBinds().SelectMany(b => new[] { "--container-bind", b }),
        ];
        await using var server = await ServerProcess.StartServerAsync(Path.Combine(_dir.Path, "server"), "--lease-seconds", "5");
        using var client = server.Client(server.AdminToken);
        await using var warm = await AgentProcess.StartAsync(server, "node-b-warm", Path.Combine(_dir.Path, "b"), flags);

        var first = await RunAsync(client, "hello");
        await warm.WaitForLineAsync(l => l.Contains($"warm models: {Model}", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        await using var cold = await AgentProcess.StartAsync(server, "node-a-cold", Path.Combine(_dir.Path, "a"), flags);
        var second = await RunAsync(client, "again");

        Assert.Equal("node-b-warm", first.Node);
        Assert.False(first.Result.GetProperty("server").GetProperty("reused").GetBoolean());
        Assert.Equal("node-b-warm", second.Node);
        Assert.True(second.Result.GetProperty("server").GetProperty("reused").GetBoolean());
        Assert.Equal("[test/warm-chat] AGAIN", second.Result.GetProperty("items")[0].GetProperty("output").GetString());
        Assert.Contains(Model, (await client.GetNodeAsync("node-b-warm")).WarmModels);
    }

    public void Dispose() => _dir.Dispose();

    private static async Task<(string? Node, JsonElement Result)> RunAsync(FlowMesh.Client.FlowMeshClient client, string prompt)
    {
        var submitted = await client.SubmitAsync($$"""
            apiVersion: flowmesh/v1
            kind: InferenceTask
            metadata: {name: warm-{{prompt}}}
            spec:
              taskType: inference
              model:
                source: {type: huggingface, identifier: {{Model}}}
                vllm: {tensor_parallel_size: 1}
              data: {type: list, items: [{{prompt}}]}
            """);
        var done = await client.WaitForEndAsync(submitted.WorkflowId);
        Assert.True(done.Workflow.State == "Succeeded", $"{done.Tasks[0].Error}");
        return (done.Tasks[0].Node, (await client.GetResultAsync(submitted.WorkflowId, done.Tasks[0].Name)).GetProperty("result"));
    }
}
