using System.Text.Json.Nodes;
using FlowMesh.Engine.Runtime;
using FlowMesh.Abstractions;
using FlowMesh.Engine.Store;
using FlowMesh.Tests.Support;
using FlowMesh.Workflows;

namespace FlowMesh.Tests.Control;

/// <summary>Fan-out over a list with a join, on the real engine and store.</summary>
[Trait("Category", "Integration")]
public sealed class MapTests
{
    [Fact]
    public async Task Run_MapOverAnUpstreamList_RunsOneTaskPerItemAndJoinsTheirResultsInOrder()
    {
        await using var h = await EngineHarness.StartAsync();
        var (state, tasks) = await h.RunAsync($$$"""
            spec:
              graph:
                nodes:
                  - name: producer
                    spec:
                      taskType: python
                      code: |
                        def main(inputs):
                            return {"list": ["alpha", "beta", "gamma", "delta"]}
                  - name: each
                    dependsOn: [producer]
                    spec:
                      taskType: python
                      map: {items: "${producer.value.list}"}
                      code: |
                        import json, os
                        def main(inputs):
                            return {"item": json.loads(os.environ["FLOWMESH_MAP_ITEM"]).upper(), "index": int(os.environ["FLOWMESH_MAP_INDEX"])}
                  - name: after
                    dependsOn: [each]
                    spec: {taskType: echo, data: {type: list, items: ["joined"]}}
            """);

        Assert.Equal(WorkflowState.Succeeded, state);
        Assert.Equal(["producer", "each", "after", "each[0]", "each[1]", "each[2]", "each[3]"], tasks.Select(t => t.Name));
        var join = JsonNode.Parse(tasks.Single(t => t.Name == "each").Result!)!;
        Assert.Equal(4, join["items"]!.GetValue<int>());
        Assert.Equal(["ALPHA", "BETA", "GAMMA", "DELTA"], join["results"]!.AsArray().Select(r => r!["value"]!["item"]!.GetValue<string>()));
        Assert.True(tasks.Single(t => t.Name == "after").StartedAt >= tasks.Where(t => t.Name.StartsWith("each[", StringComparison.Ordinal)).Max(t => t.FinishedAt));
        using var store = FlowMeshStore.OpenReader(h.DataDir);
        Assert.Equal(7, store.GetWorkflow(tasks[0].WorkflowId)!.TaskCount);
    }

    [Fact]
    public async Task Run_MapWithLiteralItemsAndOneFailing_FailsTheJoinAndWhatFollows()
    {
        await using var h = await EngineHarness.StartAsync();
        var (state, tasks) = await h.RunAsync($$$"""
            spec:
              graph:
                nodes:
                  - name: each
                    spec:
                      taskType: python
                      map: {items: [1, 2, 3]}
                      code: |
                        def main(inputs):
                            if "{{item}}" == "2":
                                raise RuntimeError("item {{index}} is bad")
                            return {{item}}
                  - name: after
                    dependsOn: [each]
                    spec: {taskType: echo, data: {type: list, items: ["never"]}}
            """);

        Assert.Equal(WorkflowState.Failed, state);
        Assert.Contains("item 1 is bad", tasks.Single(t => t.Name == "each[1]").Error, StringComparison.Ordinal);
        Assert.Equal(nameof(TaskState.Succeeded), tasks.Single(t => t.Name == "each[0]").State);
        Assert.Equal(nameof(TaskState.Failed), tasks.Single(t => t.Name == "each").State);
        Assert.Equal(nameof(TaskState.Failed), tasks.Single(t => t.Name == "after").State);
    }

    [Fact]
    public void Parse_MapWithoutAList_NamesTheField()
    {
        var parsed = WorkflowParser.Parse("""
            spec:
              graph:
                nodes:
                  - {name: a, spec: {taskType: echo, map: {items: 3}, data: {type: list, items: [x]}}}
            """, "map.yaml");
        Assert.False(parsed.Success);
        Assert.Contains("spec.graph.nodes[0].spec.map.items: map.items must be a list", string.Join("\n", parsed.Diagnostics), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resume_AfterTheRunnerStoppedMidFanOut_KeepsTheItemsAndJoinsThemOnce()
    {
        using var dir = new TempDir();
        var barrier = Path.Combine(dir.Path, "go");
        var options = new EngineOptions { DataDirectory = Path.Combine(dir.Path, "data"), NodeSlots = 8 };
        var parsed = WorkflowParser.Parse($$$"""
            spec:
              graph:
                nodes:
                  - name: each
                    spec:
                      taskType: python
                      map: {items: [red, green, blue]}
                      code: |
                        import os, time
                        def main(inputs):
                            print("started {{item}}")
                            while not os.path.exists("{{{barrier}}}"):
                                time.sleep(0.02)
                            return "{{item}}".upper()
            """, "resume-map.yaml");

        string id;
        await using (var first = new FlowMeshEngine(options, TimeProvider.System))
        {
            var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            first.EventsCommitted += events =>
            {
                if (events.Any(e => e.Kind == "task.log"))
                {
                    running.TrySetResult();
                }
            };
            await first.StartAsync(CancellationToken.None);
            id = await first.SubmitAsync(parsed.Workflow!, CancellationToken.None);
            await running.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }

        await File.WriteAllTextAsync(barrier, "go");
        await using var second = new FlowMeshEngine(options, TimeProvider.System);
        await second.StartAsync(CancellationToken.None);
        await second.ResumeAsync(id, CancellationToken.None);
        Assert.Equal(WorkflowState.Succeeded, await second.WaitAsync(id, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60)));

        using var store = FlowMeshStore.OpenReader(options.DataDirectory);
        var tasks = store.GetTasks(id);
        Assert.Equal(["each", "each[0]", "each[1]", "each[2]"], tasks.Select(t => t.Name));
        var join = JsonNode.Parse(tasks[0].Result!)!;
        Assert.Equal(["RED", "GREEN", "BLUE"], join["results"]!.AsArray().Select(r => r!["value"]!.GetValue<string>()));
        Assert.Single(store.GetEvents(id, 0, 1000, kind: "task.mapped"));
    }
}
