using System.Text.Json.Nodes;
using FlowMesh.Engine.Containers;
using FlowMesh.Engine.Executors;
using FlowMesh.Abstractions;
using FlowMesh.Tests.Support;

namespace FlowMesh.Tests.Containers;

/// <summary>
/// Inference through a model server in a real container: our small OpenAI-compatible test server stands in for vLLM
/// (same command line), run from the local busybox image with the host's .NET mounted in.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ModelServerTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Run_TwoInferenceTasksOnOneModel_SecondReusesTheWarmServerWhichStopsWhenIdle()
    {
        if (!ContainerRuntime.Available(output))
        {
            return;
        }

        using var docker = new DockerClient(ContainerRuntime.Socket!);
        var containers = ContainerRuntime.WithTestModelServer("model-test");
        var servers = containers.ModelServers;

        servers.IdleTimeout = TimeSpan.FromSeconds(2);
        await using var pool = new ModelServerPool(docker, containers, servers, TimeProvider.System);
        var stopped = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        pool.Stopped += id => stopped.TrySetResult(id);
        await using var harness = await EngineHarness.StartAsync([new ModelServerExecutor("inference", pool, servers), new EchoExecutor()]);

        var (state, tasks) = await harness.RunAsync("""
            apiVersion: flowmesh/v1
            kind: InferenceTask
            metadata: {name: warm-model}
            spec:
              stages:
                - name: first
                  spec:
                    taskType: inference
                    model:
                      source: {type: huggingface, identifier: test/tiny-chat}
                      vllm: {tensor_parallel_size: 1, enforce_eager: true}
                    data: {type: list, items: [hello, world]}
                    inference: {max_tokens: 16, temperature: 0.1}
                - name: second
                  spec:
                    taskType: inference
                    model:
                      source: {type: huggingface, identifier: test/tiny-chat}
                      vllm: {tensor_parallel_size: 1, enforce_eager: true}
                    data: {type: list, items: [again]}
                    inference: {max_tokens: 16, temperature: 0.1}
            """);

        Assert.True(state == WorkflowState.Succeeded, string.Join("; ", tasks.Select(t => $"{t.Name}: {t.Error}")));
        var first = JsonNode.Parse(tasks[0].Result!)!;
        var second = JsonNode.Parse(tasks[1].Result!)!;
        Assert.Equal(["[test/tiny-chat] HELLO", "[test/tiny-chat] WORLD"], first["items"]!.AsArray().Select(i => i!["output"]!.GetValue<string>()));
        Assert.Equal("[test/tiny-chat] AGAIN", second["items"]![0]!["output"]!.GetValue<string>());
        Assert.False(first["server"]!["reused"]!.GetValue<bool>());
        Assert.True(second["server"]!["reused"]!.GetValue<bool>());
        Assert.Equal(first["server"]!["container"]!.GetValue<string>(), second["server"]!["container"]!.GetValue<string>());

        // Idle past its timeout, the server is stopped and its container removed.
        var id = await stopped.Task.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.StartsWith(first["server"]!["container"]!.GetValue<string>(), id, StringComparison.Ordinal);
        Assert.Empty(await docker.ListAsync("flowmesh.model-server=test/tiny-chat", CancellationToken.None));
        Assert.Empty(pool.Servers);
    }
}
