using FlowMesh.Abstractions;
using FlowMesh.Engine.Store;
using FlowMesh.Tests.Support;
using FlowMesh.Workflows;

namespace FlowMesh.Tests.Control;

/// <summary>Fallback tasks on the real engine: once retries are exhausted, the fallback runs in the task's place.</summary>
[Trait("Category", "Integration")]
public sealed class FallbackTests
{
    [Fact]
    public async Task Run_TaskFailingEveryAttempt_RunsItsFallbackAndItsDependentsGoOn()
    {
        await using var h = await EngineHarness.StartAsync();
        var (state, tasks) = await h.RunAsync("""
            spec:
              graph:
                nodes:
                  - name: flaky
                    spec:
                      taskType: python
                      retry: {maxAttempts: 2, backoffSeconds: 0.05, jitter: false}
                      code: |
                        def main(inputs):
                            raise RuntimeError("model server down")
                      fallback:
                        taskType: echo
                        data: {type: list, items: [cached-default]}
                  - name: after
                    dependsOn: [flaky]
                    spec:
                      taskType: python
                      code: |
                        def main(inputs):
                            with open(inputs["flaky"] + "/results.json") as f:
                                return {"saw": f.read()}
            """);

        Assert.Equal(WorkflowState.Succeeded, state);
        var flaky = tasks.Single(t => t.Name == "flaky");
        Assert.Equal(nameof(TaskState.Succeeded), flaky.State);
        Assert.Equal(3, flaky.Attempt);
        Assert.Contains("cached-default", flaky.Result, StringComparison.Ordinal);
        Assert.Contains("cached-default", tasks.Single(t => t.Name == "after").Result, StringComparison.Ordinal);
        using var store = FlowMeshStore.OpenReader(h.DataDir);
        var fallback = Assert.Single(store.GetEvents(flaky.WorkflowId, 0, 1000, kind: "task.fallback"));
        Assert.Contains("model server down", fallback.Data, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_FallbackThatFailsToo_FailsTheTaskWithTheFallbacksError()
    {
        await using var h = await EngineHarness.StartAsync();
        var (state, tasks) = await h.RunAsync("""
            spec:
              graph:
                nodes:
                  - name: flaky
                    spec:
                      taskType: python
                      code: "def main(inputs):\n    raise RuntimeError('first')\n"
                      fallback: {code: "def main(inputs):\n    raise RuntimeError('second')\n"}
            """);
        Assert.Equal(WorkflowState.Failed, state);
        Assert.Contains("second", tasks.Single().Error, StringComparison.Ordinal);
        Assert.Equal(2, tasks.Single().Attempt);
    }

    [Fact]
    public void Parse_FallbackWithWrongFields_NamesLineAndField()
    {
        var parsed = WorkflowParser.Parse("""
            spec:
              graph:
                nodes:
                  - name: a
                    spec:
                      taskType: python
                      code: "def main(inputs):\n    return 1\n"
                      fallback: {taskType: echo, dependsOn: [x], bogus: 1}
            """, "fallback.yaml");
        Assert.False(parsed.Success);
        var text = string.Join("\n", parsed.Diagnostics);
        Assert.Contains("fallback.dependsOn: 'dependsOn' cannot be set in a fallback", text, StringComparison.Ordinal);
        Assert.Contains("fallback.bogus: unknown field 'bogus' for taskType echo", text, StringComparison.Ordinal);
        Assert.Contains("taskType echo needs 'data'", text, StringComparison.Ordinal);
        Assert.Contains("fallback.yaml:8:", text, StringComparison.Ordinal);
    }
}
