using System.Text.Json.Nodes;
using FlowMesh.Abstractions;
using FlowMesh.Engine.Store;
using FlowMesh.Tests.Support;
using FlowMesh.Workflows;

namespace FlowMesh.Tests.Engine;

/// <summary>Retries with exponential backoff on the real engine and python executor.</summary>
[Trait("Category", "Integration")]
public sealed class RetryTests
{
    [Fact]
    public async Task Run_FlakyTaskWithRetry_SucceedsOnItsThirdAttemptAfterDoublingBackoffs()
    {
        using var dir = new TempDir();
        var counter = Path.Combine(dir.Path, "count");
        await using var h = await EngineHarness.StartAsync();
        var (state, tasks) = await h.RunAsync($$$"""
            spec:
              retry: {maxAttempts: 3, backoffSeconds: 0.3, jitter: false}
              graph:
                nodes:
                  - name: flaky
                    spec:
                      taskType: python
                      code: |
                        import os
                        def main(inputs):
                            path = "{{{counter}}}"
                            n = int(open(path).read()) + 1 if os.path.exists(path) else 1
                            open(path, "w").write(str(n))
                            if n < 3:
                                raise RuntimeError(f"flake {n}")
                            return {"tries": n}
                  - name: after
                    dependsOn: [flaky]
                    spec: {taskType: echo, data: {type: list, items: ["${flaky.value.tries}"]}}
            """);

        Assert.True(state == WorkflowState.Succeeded, string.Join("; ", tasks.Select(t => $"{t.Name} {t.State} {t.Error}")));
        Assert.Equal(3, tasks[0].Attempt);
        Assert.Equal(1, tasks[1].Attempt);
        using var store = FlowMeshStore.Open(h.DataDir);
        var moves = store.GetEvents(tasks[0].WorkflowId, 0, 1000, kind: "task.state", task: "flaky")
            .Select(e => (e.At, Data: JsonNode.Parse(e.Data)!)).ToList();
        var retries = moves.Where(m => m.Data["reason"]?.GetValue<string>().StartsWith("retry", StringComparison.Ordinal) == true).ToList();
        Assert.Equal(2, retries.Count);
        Assert.StartsWith("retry 2/3 in 0.3 s after: ", retries[0].Data["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("flake 1", retries[0].Data["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.StartsWith("retry 3/3 in 0.6 s after: ", retries[1].Data["reason"]!.GetValue<string>(), StringComparison.Ordinal);

        // Each retry was placed no sooner than its backoff after the failure (lower bounds only: no timing of speed).
        foreach (var (retry, backoff) in retries.Zip([0.3, 0.6]))
        {
            var placed = moves.First(m => m.At >= retry.At && m.Data["state"]!.GetValue<string>() == "Running" && m.Data["attempt"]!.GetValue<int>() > 1
                && moves.IndexOf(m) > moves.IndexOf(retry));
            Assert.True((placed.At - retry.At).TotalSeconds >= backoff, $"placed {(placed.At - retry.At).TotalSeconds:0.000} s after the failure, backoff {backoff} s");
        }
    }

    [Fact]
    public async Task Run_AlwaysFailingWithRootDefault_FailsAfterMaxAttemptsWithTheLastError()
    {
        await using var h = await EngineHarness.StartAsync();
        var (state, tasks) = await h.RunAsync("""
            spec:
              retry: {maxAttempts: 2, backoffSeconds: 0.05}
              taskType: python
              code: "def main(inputs):\n    raise ValueError('always broken')\n"
            """);

        Assert.Equal(WorkflowState.Failed, state);
        Assert.Equal(2, tasks[0].Attempt);
        Assert.Contains("always broken", tasks[0].Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{maxAttempts: 0}", "spec.retry.maxAttempts")]
    [InlineData("{maxAttempts: 2.5}", "spec.retry.maxAttempts")]
    [InlineData("{backoffSeconds: -1}", "spec.retry.backoffSeconds")]
    [InlineData("{tries: 3}", "spec.retry.tries")]
    public void Parse_BadRetry_NamesTheField(string retry, string field)
    {
        var parsed = WorkflowParser.Parse($"spec:\n  taskType: echo\n  data: {{type: list, items: [a]}}\n  retry: {retry}\n", "retry.yaml");
        Assert.False(parsed.Success);
        var d = Assert.Single(parsed.Diagnostics);
        Assert.Equal(field, d.FieldPath);
        Assert.Equal(4, d.Mark.Line);
    }
}
