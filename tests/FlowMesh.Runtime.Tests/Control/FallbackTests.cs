using System.Text.Json.Nodes;
using FlowMesh.Abstractions;
using FlowMesh.Runtime.Tests.Runtime;
using FlowMesh.Runtime.Tests.Support;

namespace FlowMesh.Runtime.Tests.Control;

/// <summary>Fallbacks on a real cluster: once a task's attempts are spent, its fallback runs in its place, once.</summary>
[Collection(RedisCollection.Name)]
[Trait("Category", "Integration")]
public sealed class FallbackTests
{
    [RedisFact]
    public async Task TaskFailingEveryAttempt_RunsItsFallbackAndItsDependentsReadTheFallbacksResult()
    {
        var ct = Timeouts.Scenario(120);
        await using var cluster = await RuntimeCluster.StartAsync(silos: 2);
        var submitted = await cluster.SubmitAsync("""
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
                    spec: {taskType: echo, data: {type: list, items: ["saw ${flaky.items.0.output}"]}}
            """, ct);

        var events = await cluster.WatchToEndAsync(submitted.Id, ct);

        Assert.Equal("Succeeded", Events.Field(events[^1], "state"));
        var snapshot = (await cluster.Client.GetAsync(submitted.Id, ct))!;
        var flaky = snapshot.Tasks.Single(t => t.Name == "flaky");
        Assert.Equal(TaskState.Succeeded, flaky.State);
        Assert.Equal(3, flaky.Attempt);
        Assert.Equal("echo", flaky.TaskType);
        Assert.Equal(["Ready", "Running", "Ready", "Running", "Ready", "Running", "Succeeded"], Events.TaskStates(events)["flaky"]);
        var fallback = Assert.Single(events, e => e.Kind == EventKinds.TaskFallback);
        Assert.Equal("flaky", fallback.Task);
        Assert.Equal("echo", Events.Field(fallback, "taskType"));
        Assert.Equal("2", Events.Field(fallback, "attempt"));
        Assert.Contains("model server down", Events.Field(fallback, "after"), StringComparison.Ordinal);
        Assert.Equal("cached-default", ResultOf(events, "flaky")!["items"]![0]!["output"]!.GetValue<string>());
        Assert.Equal("saw cached-default", ResultOf(events, "after")!["items"]![0]!["output"]!.GetValue<string>());
    }

    [RedisFact]
    public async Task FallbackThatFailsToo_FailsTheTaskWithTheFallbacksError()
    {
        var ct = Timeouts.Scenario(120);
        await using var cluster = await RuntimeCluster.StartAsync(silos: 2);
        var submitted = await cluster.SubmitAsync("""
            spec:
              graph:
                nodes:
                  - name: flaky
                    spec:
                      taskType: python
                      code: "def main(inputs):\n    raise RuntimeError('first')\n"
                      fallback: {code: "def main(inputs):\n    raise RuntimeError('second')\n"}
            """, ct);

        Assert.Equal(WorkflowState.Failed, await cluster.Client.WaitAsync(submitted.Id, ct));
        var task = (await cluster.Client.GetAsync(submitted.Id, ct))!.Tasks.Single();
        Assert.Equal(TaskState.Failed, task.State);
        Assert.Contains("second", task.Error, StringComparison.Ordinal);
        Assert.Equal(2, task.Attempt);
        Assert.Equal("python", task.TaskType);
        var events = await cluster.WatchToEndAsync(submitted.Id, ct);
        Assert.Single(events, e => e.Kind == EventKinds.TaskFallback);
        Assert.Equal(["Ready", "Running", "Ready", "Running", "Failed"], Events.TaskStates(events)["flaky"]);
    }

    internal static JsonNode? ResultOf(List<WorkflowEvent> events, string task) =>
        JsonNode.Parse(events.Last(e => e.Kind == EventKinds.TaskResult && e.Task == task).Data)!["result"];
}
