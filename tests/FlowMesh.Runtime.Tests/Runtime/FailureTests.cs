using FlowMesh.Abstractions;
using FlowMesh.Runtime.Tests.Support;

namespace FlowMesh.Runtime.Tests.Runtime;

/// <summary>What the cluster keeps when parts of it die: real silos killed mid-run, a real Redis restarted.</summary>
[Collection(RedisCollection.Name)]
[Trait("Category", "Integration")]
public sealed class FailureTests(ITestOutputHelper output)
{
    private const string FanOut = """
        apiVersion: flowmesh/v1
        kind: Workflow
        metadata: {name: fan-out}
        spec:
          stages:
            - name: root
              spec: {taskType: echo, data: {type: list, items: [go]}}
        ITEMS
            - name: sink
              dependsOn: [DEPS]
              spec: {taskType: echo, data: {type: list, items: [done]}}
        """;

    [RedisFact]
    public async Task KillSilo_MidRun_EveryTaskEndsExactlyOnceAndTheWorkflowSucceeds()
    {
        var ct = Timeouts.Scenario(180);
        await using var cluster = await RuntimeCluster.StartAsync(silos: 3, slots: 4);
        var submitted = await cluster.SubmitAsync(FanOutOf(36, "import time\ndef main(inputs):\n    time.sleep(0.5)\n    return {'ok': True}\n"), ct);

        var killed = false;
        var events = new List<WorkflowEvent>();
        await foreach (var e in cluster.Client.WatchAsync(submitted.Id, 0, ct))
        {
            events.Add(e);
            if (!killed && events.Count(x => x.Kind == EventKinds.TaskState && Events.Field(x, "state") == "Succeeded") >= 6)
            {
                killed = true;
                var victim = cluster.Cluster.Silos[1];
                output.WriteLine($"killing silo {victim.SiloAddress} after {events.Count} events");
                await cluster.Cluster.KillSiloAsync(victim);
            }
        }

        Assert.True(killed);
        Events.AssertGapFree(events);
        Assert.Equal("Succeeded", Events.Field(events[^1], "state"));
        var states = Events.TaskStates(events);
        Assert.Equal(38, states.Count);
        Assert.All(states, kv => Assert.True(Events.Terminals(kv.Value) == 1, $"{kv.Key}: {string.Join(" ", kv.Value)}"));
        Assert.All(states, kv => Assert.Equal("Succeeded", kv.Value[^1]));
        output.WriteLine($"requeued attempts: {states.Values.Sum(s => s.Count(x => x == "Running")) - 38}");
    }

    [RedisFact]
    public async Task KillRedis_MidRun_WithAppendfsyncAlwaysTheWorkflowFinishesAndLosesNothing()
    {
        var ct = Timeouts.Scenario(180);
        await using var cluster = await RuntimeCluster.StartAsync(silos: 2, slots: 4);
        var submitted = await cluster.SubmitAsync(FanOutOf(20, "import time\ndef main(inputs):\n    time.sleep(0.3)\n    return {'ok': True}\n"), ct);

        var before = new List<WorkflowEvent>();
        await foreach (var e in cluster.Client.WatchAsync(submitted.Id, 0, ct))
        {
            before.Add(e);
            if (before.Count(x => x.Kind == EventKinds.TaskState && Events.Field(x, "state") == "Succeeded") >= 4)
            {
                break;
            }
        }

        await cluster.Redis.KillAsync();
        await cluster.Redis.StartAsync(ct);
        var state = await cluster.Client.WaitAsync(submitted.Id, ct);
        var events = await cluster.WatchToEndAsync(submitted.Id, ct);

        Assert.Equal(WorkflowState.Succeeded, state);
        Events.AssertGapFree(events);

        // Everything a watcher saw before the kill is still in the log, unchanged.
        Assert.Equal(before, events.Take(before.Count));
        var states = Events.TaskStates(events);
        Assert.All(states, kv => Assert.True(Events.Terminals(kv.Value) == 1, $"{kv.Key}: {string.Join(" ", kv.Value)}"));
    }

    internal static string FanOutOf(int width, string code)
    {
        var items = string.Concat(Enumerable.Range(0, width).Select(i =>
            $"    - name: t{i}\n      dependsOn: [root]\n      spec: {{taskType: python, code: \"{code.Replace("\n", "\\n", StringComparison.Ordinal)}\"}}\n"));
        var deps = string.Join(", ", Enumerable.Range(0, width).Select(i => $"t{i}"));
        return FanOut.Replace("ITEMS\n", items, StringComparison.Ordinal).Replace("DEPS", deps, StringComparison.Ordinal);
    }
}
