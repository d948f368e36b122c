using System.Text.Json.Nodes;
using FlowMesh.Engine.Containers;
using FlowMesh.Abstractions;
using FlowMesh.Engine.Store;
using FlowMesh.Tests.Support;

namespace FlowMesh.Tests.Containers;

/// <summary>
/// Task merging through the real engine and model-server executor: our OpenAI-compatible test server in a container
/// stands in for vLLM. Tasks equal but for their data run as one execution, and each gets its own rows back.
/// </summary>
[Trait("Category", "Integration")]
public sealed class BatchingTests(ITestOutputHelper output)
{
    private const string Workflow = """
        spec:
          graph:
            nodes:
              - name: a
                spec:
                  taskType: inference
                  model: {source: {type: huggingface, identifier: test/batch-chat}, vllm: {enforce_eager: true}}
                  inference: {max_tokens: 16}
                  data: {type: list, items: [one, two]}
              - name: b
                spec: {taskType: inference, model: {source: {type: huggingface, identifier: test/batch-chat}, vllm: {enforce_eager: true}}, inference: {max_tokens: 16}, data: {type: list, items: [three]}}
              - name: c
                spec: {taskType: inference, model: {source: {type: huggingface, identifier: test/batch-chat}, vllm: {enforce_eager: true}}, inference: {max_tokens: 16}, data: {type: list, items: [four, five]}}
              - name: other
                spec: {taskType: inference, model: {source: {type: huggingface, identifier: test/batch-chat}, vllm: {enforce_eager: true}}, inference: {max_tokens: 8}, data: {type: list, items: [six]}}
        """;

    [Theory]
    [InlineData(8)]
    [InlineData(1)]
    public async Task Run_InferenceTasksEqualButForTheirData_RunAsOneBatchAndGetTheirOwnRowsBack(int maxBatch)
    {
        if (!ContainerRuntime.Available(output))
        {
            return;
        }

        using var docker = new DockerClient(ContainerRuntime.Socket!);
        var containers = ContainerRuntime.WithTestModelServer("batch-test");
        var servers = containers.ModelServers;

        await using var pool = new ModelServerPool(docker, containers, servers, TimeProvider.System);
        await using var h = await EngineHarness.StartAsync([new ModelServerExecutor("inference", pool, servers)], slots: 1, configure: o => o.Scheduler.MaxBatch = maxBatch);
        var (state, tasks) = await h.RunAsync(Workflow);

        Assert.True(state == WorkflowState.Succeeded, string.Join("; ", tasks.Select(t => $"{t.Name}: {t.Error}")));
        string[] Outputs(string name) => [.. JsonNode.Parse(tasks.Single(t => t.Name == name).Result!)!["items"]!.AsArray().Select(i => i!["output"]!.GetValue<string>())];
        Assert.Equal(["[test/batch-chat] ONE", "[test/batch-chat] TWO"], Outputs("a"));
        Assert.Equal(["[test/batch-chat] THREE"], Outputs("b"));
        Assert.Equal(["[test/batch-chat] FOUR", "[test/batch-chat] FIVE"], Outputs("c"));
        Assert.Equal(["[test/batch-chat] SIX"], Outputs("other"));

        using var store = FlowMeshStore.OpenReader(h.DataDir);
        var batched = store.GetEvents(tasks[0].WorkflowId, 0, 1000, kind: "task.batched");
        if (maxBatch > 1)
        {
            // a, b and c share one execution (one slot, one model server call); other differs in its inference settings.
            // (This test has a model id of its own: the model-server test checks that its model's containers are gone.)
            var batch = Assert.Single(batched);
            Assert.Equal(5, JsonNode.Parse(batch.Data)!["items"]!.GetValue<int>());
            Assert.Equal(3, JsonNode.Parse(tasks.Single(t => t.Name == "b").Result!)!["batch"]!["tasks"]!.GetValue<int>());
            Assert.Equal(0, JsonNode.Parse(tasks.Single(t => t.Name == "c").Result!)!["items"]![0]!["index"]!.GetValue<int>());
        }
        else
        {
            Assert.Empty(batched);
        }
    }
}
