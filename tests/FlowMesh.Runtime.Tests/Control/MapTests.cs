using FlowMesh.Abstractions;
using FlowMesh.Runtime.Client;
using FlowMesh.Runtime.Tests.Runtime;
using FlowMesh.Runtime.Tests.Support;

namespace FlowMesh.Runtime.Tests.Control;

/// <summary>Fan-out over a list with a join, on a real cluster: one task per item, the map task joins them in order.</summary>
[Collection(RedisCollection.Name)]
[Trait("Category", "Integration")]
public sealed class MapTests(ITestOutputHelper output)
{
    [RedisFact]
    public async Task MapOverAnUpstreamList_RunsOneTaskPerItemAndJoinsTheirResultsInOrder()
    {
        var ct = Timeouts.Scenario(120);
        await using var cluster = await RuntimeCluster.StartAsync(silos: 2);
        var submitted = await cluster.SubmitAsync("""
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
            """, ct);

        var events = await cluster.WatchToEndAsync(submitted.Id, ct);

        Assert.Equal("Succeeded", Events.Field(events[^1], "state"));
        var snapshot = (await cluster.Client.GetAsync(submitted.Id, ct))!;
        Assert.Equal(["producer", "each", "after", "each[0]", "each[1]", "each[2]", "each[3]"], snapshot.Tasks.Select(t => t.Name));
        var join = FallbackTests.ResultOf(events, "each")!;
        Assert.Equal(4, join["items"]!.GetValue<int>());
        Assert.Equal(["ALPHA", "BETA", "GAMMA", "DELTA"], join["results"]!.AsArray().Select(r => r!["value"]!["item"]!.GetValue<string>()));
        Assert.Equal([0, 1, 2, 3], join["results"]!.AsArray().Select(r => r!["value"]!["index"]!.GetValue<int>()));
        var mapped = Assert.Single(events, e => e.Kind == EventKinds.TaskMapped);
        Assert.Equal(("4", "each[0]", "each[3]"), (Events.Field(mapped, "items"), Events.Field(mapped, "first"), Events.Field(mapped, "last")));
        var lastItem = events.Where(e => e.Task is { } t && t.StartsWith("each[", StringComparison.Ordinal) && Watch.IsTaskState(e, t, "Succeeded")).Max(e => e.Seq);
        Assert.True(events.Single(e => Watch.IsTaskState(e, "after", "Running")).Seq > lastItem);
        Assert.All(Events.TaskStates(events), kv => Assert.Equal(1, Events.Terminals(kv.Value)));
    }

    [RedisFact]
    public async Task MapOverALiteralList_ReplacesItemAndIndexAndJoinsInOrder()
    {
        var ct = Timeouts.Scenario(120);
        await using var cluster = await RuntimeCluster.StartAsync(silos: 2);
        var submitted = await cluster.SubmitAsync("""
            spec:
              graph:
                nodes:
                  - name: each
                    spec:
                      taskType: echo
                      map: {items: [red, green, blue]}
                      data: {type: list, items: ["{{index}}:{{item}}"]}
            """, ct);

        var events = await cluster.WatchToEndAsync(submitted.Id, ct);

        Assert.Equal("Succeeded", Events.Field(events[^1], "state"));
        var join = FallbackTests.ResultOf(events, "each")!;
        Assert.Equal(3, join["items"]!.GetValue<int>());
        Assert.Equal(["0:red", "1:green", "2:blue"], join["results"]!.AsArray().Select(r => r!["items"]![0]!["output"]!.GetValue<string>()));
        Assert.Equal(["Ready", "Running", "Succeeded"], Events.TaskStates(events)["each"]);
    }

    [RedisFact]
    public async Task MapWithOneItemFailing_FailsTheJoinAndWhatFollows()
    {
        var ct = Timeouts.Scenario(120);
        await using var cluster = await RuntimeCluster.StartAsync(silos: 2);
        var submitted = await cluster.SubmitAsync("""
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
            """, ct);

        Assert.Equal(WorkflowState.Failed, await cluster.Client.WaitAsync(submitted.Id, ct));
        var byName = (await cluster.Client.GetAsync(submitted.Id, ct))!.Tasks.ToDictionary(t => t.Name);
        Assert.Contains("item 1 is bad", byName["each[1]"].Error, StringComparison.Ordinal);
        Assert.Equal(TaskState.Succeeded, byName["each[0]"].State);
        Assert.Equal(TaskState.Succeeded, byName["each[2]"].State);
        Assert.Equal(TaskState.Failed, byName["each"].State);
        Assert.Equal("upstream failed: each[1]", byName["each"].Error);
        Assert.Equal(TaskState.Failed, byName["after"].State);
    }

    [RedisFact]
    public async Task KillTheWorkflowsSilo_MidFanOut_EveryItemRunsAndIsJoinedOnce()
    {
        var ct = Timeouts.Scenario(180);
        await using var cluster = await RuntimeCluster.StartAsync(silos: 3, slots: 4);
        var (id, silo) = await Watch.IdOffThePrimaryAsync(cluster);
        const int Width = 16;
        var items = string.Join(", ", Enumerable.Range(0, Width).Select(i => $"i{i}"));
        var plan = WorkflowPlanner.Plan(RuntimeCluster.Parse($$$"""
            spec:
              graph:
                nodes:
                  - name: root
                    spec: {taskType: echo, data: {type: list, items: [go]}}
                  - name: each
                    dependsOn: [root]
                    spec:
                      taskType: python
                      map: {items: [{{{items}}}]}
                      code: |
                        import time
                        def main(inputs):
                            time.sleep(0.3)
                            return "{{item}}".upper()
                  - name: sink
                    dependsOn: [each]
                    spec: {taskType: echo, data: {type: list, items: [done]}}
            """), "default", "test");
        await cluster.Client.SubmitAsync(id, plan, ct);

        var seen = await Watch.UntilAsync(cluster, id, e => e.Kind == EventKinds.TaskState && e.Task is { } t && t.StartsWith("each[", StringComparison.Ordinal) && Events.Field(e, "state") == "Succeeded", ct);
        output.WriteLine($"killing silo {silo.SiloAddress}, which hosts workflow {id}, after {seen.Count} events");
        await cluster.Cluster.KillSiloAsync(silo);

        var events = await cluster.WatchToEndAsync(id, ct);
        Events.AssertGapFree(events);
        Assert.Equal("Succeeded", Events.Field(events[^1], "state"));
        var states = Events.TaskStates(events);
        Assert.Equal(Width + 3, states.Count);
        Assert.All(states, kv => Assert.True(Events.Terminals(kv.Value) == 1 && kv.Value[^1] == "Succeeded", $"{kv.Key}: {string.Join(" ", kv.Value)}"));
        Assert.Single(events, e => e.Kind == EventKinds.TaskMapped);
        var join = FallbackTests.ResultOf(events, "each")!;
        Assert.Equal(Enumerable.Range(0, Width).Select(i => $"I{i}"), join["results"]!.AsArray().Select(r => r!["value"]!.GetValue<string>()));
        var snapshot = (await cluster.Client.GetAsync(id, ct))!;
        Assert.Equal(Width + 3, snapshot.Tasks.Length);
        output.WriteLine($"requeued attempts: {states.Values.Sum(s => s.Count(x => x == "Running")) - states.Count}");
    }
}
