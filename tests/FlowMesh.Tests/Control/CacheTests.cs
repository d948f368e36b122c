using FlowMesh.Abstractions;
using FlowMesh.Engine.Store;
using FlowMesh.Tests.Support;

namespace FlowMesh.Tests.Control;

/// <summary>Result caching on the real engine: the python task counts its runs in a file, so a cache hit is visible.</summary>
[Trait("Category", "Integration")]
public sealed class CacheTests
{
    private static string Workflow(string counter, string input, string cache = "true") => $$$"""
        spec:
          graph:
            nodes:
              - name: source
                spec: {taskType: echo, data: {type: list, items: ["{{{input}}}"]}}
              - name: costly
                dependsOn: [source]
                spec:
                  taskType: python
                  cache: {{{cache}}}
                  priority: 5
                  code: |
                    def main(inputs):
                        with open("{{{counter}}}", "a") as f:
                            f.write("x")
                        return {"upper": str(inputs).upper()}
        """;

    [Fact]
    public async Task Run_SameCacheableTaskAndInputsTwice_RunsItOnceAndReusesTheResult()
    {
        using var dir = new TempDir();
        var counter = Path.Combine(dir.Path, "runs");
        await using var h = await EngineHarness.StartAsync();

        var (first, firstTasks) = await h.RunAsync(Workflow(counter, "hello"));
        var (second, secondTasks) = await h.RunAsync(Workflow(counter, "hello"));
        Assert.Equal(WorkflowState.Succeeded, first);
        Assert.Equal(WorkflowState.Succeeded, second);
        Assert.Equal("x", await File.ReadAllTextAsync(counter));
        Assert.Equal(firstTasks.Single(t => t.Name == "costly").Result, secondTasks.Single(t => t.Name == "costly").Result);

        using (var store = FlowMeshStore.OpenReader(h.DataDir))
        {
            var cached = Assert.Single(store.GetEvents(secondTasks[0].WorkflowId, 0, 1000, kind: "task.cached"));
            Assert.Contains(firstTasks[0].WorkflowId, cached.Data, StringComparison.Ordinal);
        }

        // Other inputs, or caching off: it runs.
        Assert.Equal(WorkflowState.Succeeded, (await h.RunAsync(Workflow(counter, "other"))).State);
        Assert.Equal(WorkflowState.Succeeded, (await h.RunAsync(Workflow(counter, "hello", cache: "false"))).State);
        Assert.Equal("xxx", await File.ReadAllTextAsync(counter));
    }
}
