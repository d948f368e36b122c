using System.Text.Json.Nodes;
using FlowMesh.Abstractions;
using FlowMesh.Runtime.Tests.Support;

namespace FlowMesh.Runtime.Tests.Runtime;

/// <summary>Workflows on a real 3-silo cluster over a real Redis: the DAG's rules as the grains carry them out.</summary>
[Collection(RedisCollection.Name)]
[Trait("Category", "Integration")]
public sealed class WorkflowGrainTests
{
    [RedisFact]
    public async Task SubmitAsync_HelloPipeline_SucceedsWithEveryEventOnceInOrder()
    {
        var ct = Timeouts.Scenario();
        await using var cluster = await RuntimeCluster.StartAsync(silos: 3);
        var yaml = await File.ReadAllTextAsync(Path.Combine(RepoRoot(), "samples", "hello-pipeline.yaml"), ct);

        var submitted = await cluster.SubmitAsync(yaml, ct);
        var events = await cluster.WatchToEndAsync(submitted.Id, ct);

        Events.AssertGapFree(events);
        Assert.Equal(EventKinds.WorkflowSubmitted, events[0].Kind);
        Assert.Equal("Succeeded", Events.Field(events[^1], "state"));
        var states = Events.TaskStates(events);
        Assert.Equal(["greet", "shout", "report"], states.Keys.Order(StringComparer.Ordinal).Reverse().OrderBy(k => k switch { "greet" => 0, "shout" => 1, _ => 2 }));
        Assert.All(states.Values, s => Assert.Equal(["Ready", "Running", "Succeeded"], s));

        // The python stage read greet's results directory, and report resolved ${shout.value.loud} from its result.
        var report = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(cluster.DataDirectory, "results", submitted.Id, "report", "results.json"), ct))!;
        Assert.Equal("HELLO FROM FLOWMESH", report["result"]!["items"]![0]!["output"]!.GetValue<string>());
        var snapshot = await cluster.Client.GetAsync(submitted.Id, ct);
        Assert.Equal(WorkflowState.Succeeded, snapshot!.State);
        Assert.All(snapshot.Tasks, t => Assert.Equal(1, t.Attempt));
    }

    [RedisFact]
    public async Task SubmitAsync_FailingTask_FailsItsDependentsWithTheReasonAndSkipsNothingElse()
    {
        var ct = Timeouts.Scenario();
        await using var cluster = await RuntimeCluster.StartAsync(silos: 2);
        const string yaml = """
            apiVersion: flowmesh/v1
            kind: Workflow
            metadata: {name: failing}
            spec:
              stages:
                - name: ok
                  spec: {taskType: echo, data: {type: list, items: [fine]}}
                - name: broken
                  spec: {taskType: python, code: "def main(inputs):\n    raise RuntimeError('boom')\n"}
                - name: after
                  dependsOn: [broken]
                  spec: {taskType: echo, data: {type: list, items: [never]}}
            """;

        var submitted = await cluster.SubmitAsync(yaml, ct);
        var events = await cluster.WatchToEndAsync(submitted.Id, ct);

        var snapshot = (await cluster.Client.GetAsync(submitted.Id, ct))!;
        Assert.Equal(WorkflowState.Failed, snapshot.State);
        Assert.Contains("task broken failed", snapshot.Error, StringComparison.Ordinal);
        var byName = snapshot.Tasks.ToDictionary(t => t.Name);
        Assert.Equal(TaskState.Succeeded, byName["ok"].State);
        Assert.Equal(TaskState.Failed, byName["broken"].State);
        Assert.Contains("boom", byName["broken"].Error, StringComparison.Ordinal);
        Assert.Equal(TaskState.Failed, byName["after"].State);
        Assert.Equal("upstream failed: broken", byName["after"].Error);
        Assert.Equal(["Failed"], Events.TaskStates(events)["after"]);
    }

    [RedisFact]
    public async Task SubmitAsync_ConditionNotMet_SkipsTheTaskAndRunsTheRest()
    {
        var ct = Timeouts.Scenario();
        await using var cluster = await RuntimeCluster.StartAsync(silos: 2);
        const string yaml = """
            apiVersion: flowmesh/v1
            kind: Workflow
            metadata: {name: conditional}
            spec:
              stages:
                - name: decide
                  spec: {taskType: echo, data: {type: list, items: [skip-me]}}
                - name: when-yes
                  dependsOn: [decide]
                  spec:
                    taskType: echo
                    condition: {node: decide, field: items.0.output, equals: run-me}
                    data: {type: list, items: [ran]}
                - name: always
                  dependsOn: [when-yes]
                  spec: {taskType: echo, data: {type: list, items: [done]}}
            """;

        var submitted = await cluster.SubmitAsync(yaml, ct);
        var events = await cluster.WatchToEndAsync(submitted.Id, ct);

        var states = Events.TaskStates(events);
        Assert.Equal(["Skipped"], states["when-yes"]);
        Assert.Equal(["Ready", "Running", "Succeeded"], states["always"]);
        Assert.Contains(events, e => e.Kind == EventKinds.TaskCondition && e.Task == "when-yes" && Events.Field(e, "actual") == "skip-me");
        Assert.Equal("Succeeded", Events.Field(events[^1], "state"));
    }

    [RedisFact]
    public async Task CancelAsync_RunningWorkflow_CancelsEveryUnfinishedTaskAndStopsTheAttempt()
    {
        var ct = Timeouts.Scenario();
        await using var cluster = await RuntimeCluster.StartAsync(silos: 2);
        var marker = Path.Combine(cluster.DataDirectory, "started");
        var yaml = """
            apiVersion: flowmesh/v1
            kind: Workflow
            metadata: {name: cancel-me}
            spec:
              stages:
                - name: slow
                  spec:
                    taskType: python
                    code: "import time, pathlib\ndef main(inputs):\n    pathlib.Path('MARKER').write_text('x')\n    time.sleep(120)\n"
                - name: next
                  dependsOn: [slow]
                  spec: {taskType: echo, data: {type: list, items: [never]}}
            """.Replace("MARKER", marker, StringComparison.Ordinal);

        var submitted = await cluster.SubmitAsync(yaml, ct);
        await foreach (var e in cluster.Client.WatchAsync(submitted.Id, 0, ct))
        {
            if (e.Kind == EventKinds.TaskState && e.Task == "slow" && Events.Field(e, "state") == "Running")
            {
                break;
            }
        }

        var state = await cluster.Client.CancelAsync(submitted.Id, "cancelled by the test", ct);

        Assert.Equal(WorkflowState.Cancelled, state);
        var snapshot = (await cluster.Client.GetAsync(submitted.Id, ct))!;
        Assert.All(snapshot.Tasks, t => Assert.Equal(TaskState.Cancelled, t.State));
        var task = cluster.Cluster.Client.GetGrain<ITaskGrain>(new TaskRef(submitted.Id, 0).Key);
        Assert.Equal(TaskState.Cancelled, (await task.SyncAsync()).State);

        // A report of the cancelled attempt is refused: it no longer holds a node.
        var late = await task.ReportAsync(new TaskReport(new TaskRef(submitted.Id, 0), snapshot.Tasks[0].NodeId ?? "x", 1, true, "{}", null, []));
        Assert.Equal(ReportOutcome.Stale, late);
    }

    [RedisFact]
    public async Task SubmitAsync_ThirtyWorkflows_TheirGrainsSpreadOverSilos()
    {
        var ct = Timeouts.Scenario(120);
        await using var cluster = await RuntimeCluster.StartAsync(silos: 3, slots: 16);
        const string yaml = """
            apiVersion: flowmesh/v1
            kind: Workflow
            metadata: {name: small}
            spec:
              stages:
                - name: a
                  spec: {taskType: echo, data: {type: list, items: [one]}}
                - name: b
                  dependsOn: [a]
                  spec: {taskType: echo, data: {type: list, items: [two]}}
            """;

        var submitted = await Task.WhenAll(Enumerable.Range(0, 30).Select(_ => cluster.SubmitAsync(yaml, ct)));
        var finals = await Task.WhenAll(submitted.Select(s => cluster.Client.WaitAsync(s.Id, ct)));

        Assert.All(finals, f => Assert.Equal(WorkflowState.Succeeded, f));
        var management = cluster.Cluster.Client.GetGrain<IManagementGrain>(0);
        var stats = await management.GetDetailedGrainStatistics();
        var workflowSilos = stats.Where(s => s.GrainType.Contains("WorkflowGrain", StringComparison.Ordinal)).Select(s => s.SiloAddress).Distinct().Count();
        var taskSilos = stats.Where(s => s.GrainType.Contains("TaskGrain", StringComparison.Ordinal)).Select(s => s.SiloAddress).Distinct().Count();
        Assert.True(workflowSilos >= 2, $"workflow grains on {workflowSilos} silo(s)");
        Assert.True(taskSilos >= 2, $"task grains on {taskSilos} silo(s)");
    }

    internal static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "FlowMesh.Orleans.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new DirectoryNotFoundException("the repository root (FlowMesh.Orleans.sln) is not above the test binaries");
    }
}
