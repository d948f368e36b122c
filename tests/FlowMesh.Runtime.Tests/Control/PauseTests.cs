using FlowMesh.Abstractions;
using FlowMesh.Runtime.Client;
using FlowMesh.Runtime.Tests.Runtime;
using FlowMesh.Runtime.Tests.Support;

namespace FlowMesh.Runtime.Tests.Control;

/// <summary>Pausing and resuming on a real cluster: a task that becomes ready while paused waits, held, until resumed.</summary>
[Collection(RedisCollection.Name)]
[Trait("Category", "Integration")]
public sealed class PauseTests(ITestOutputHelper output)
{
    private const string Gated = """
        spec:
          graph:
            nodes:
              - name: first
                spec:
                  taskType: python
                  code: |
                    import os, time
                    def main(inputs):
                        while not os.path.exists("GATE"):
                            time.sleep(0.02)
                        return {"done": True}
              - name: second
                dependsOn: [first]
                spec: {taskType: echo, data: {type: list, items: [after]}}
        """;

    [RedisFact]
    public async Task Pause_WhileATaskRuns_ItFinishesButItsDependentIsHeldUntilResumed()
    {
        var ct = Timeouts.Scenario(120);
        await using var cluster = await RuntimeCluster.StartAsync(silos: 2);
        var gate = Path.Combine(cluster.DataDirectory, "gate");
        var submitted = await cluster.SubmitAsync(Gated.Replace("GATE", gate, StringComparison.Ordinal), ct);
        await Watch.UntilAsync(cluster, submitted.Id, e => Watch.IsTaskState(e, "first", "Running"), ct);

        Assert.Equal(WorkflowState.Paused, await cluster.Client.PauseAsync(submitted.Id, ct));
        Assert.Equal(WorkflowState.Paused, await cluster.Client.PauseAsync(submitted.Id, ct)); // pausing twice changes nothing

        await File.WriteAllTextAsync(gate, "go", ct);
        await Watch.UntilAsync(cluster, submitted.Id, e => IsPausedNote(e, "second"), ct);
        await AssertHeldAsync(cluster, submitted.Id, ct);

        Assert.Equal(WorkflowState.Running, await cluster.Client.ResumeAsync(submitted.Id, ct));
        Assert.Equal(WorkflowState.Succeeded, await cluster.Client.WaitAsync(submitted.Id, ct));
        var events = await cluster.WatchToEndAsync(submitted.Id, ct);
        Events.AssertGapFree(events);
        Assert.Equal(["Ready", "Running", "Succeeded"], Events.TaskStates(events)["second"]);
        AssertStartedAfterResume(events, "second");
        Assert.Equal("1", Events.Field(Assert.Single(events, e => e.Kind == EventKinds.WorkflowPaused), "running"));
        Assert.Equal("0", Events.Field(Assert.Single(events, e => e.Kind == EventKinds.WorkflowUnpaused), "running"));
        Assert.Equal(["Running", "Paused", "Running", "Succeeded"], events.Where(e => e.Kind == EventKinds.WorkflowState).Select(e => Events.Field(e, "state")));
        await Assert.ThrowsAsync<WorkflowStateConflictException>(() => cluster.Client.PauseAsync(submitted.Id, ct));
    }

    [RedisFact]
    public async Task Pause_ThenTheWorkflowGrainsSiloDies_TheReplayedWorkflowIsStillPausedAndHolds()
    {
        var ct = Timeouts.Scenario(180);
        await using var cluster = await RuntimeCluster.StartAsync(silos: 3);
        var gate = Path.Combine(cluster.DataDirectory, "gate");
        var (id, silo) = await Watch.IdOffThePrimaryAsync(cluster);
        var plan = WorkflowPlanner.Plan(RuntimeCluster.Parse(Gated.Replace("GATE", gate, StringComparison.Ordinal)), "default", "test");
        await cluster.Client.SubmitAsync(id, plan, ct);
        await Watch.UntilAsync(cluster, id, e => Watch.IsTaskState(e, "first", "Running"), ct);
        Assert.Equal(WorkflowState.Paused, await cluster.Client.PauseAsync(id, ct));

        await File.WriteAllTextAsync(gate, "go", ct);
        await Watch.UntilAsync(cluster, id, e => IsPausedNote(e, "second"), ct);

        // The next activation knows the workflow only from its plan and log; the task grain keeps its hold.
        output.WriteLine($"killing silo {silo.SiloAddress}, which hosts workflow {id}");
        await cluster.Cluster.KillSiloAsync(silo);
        await AssertHeldAsync(cluster, id, ct);

        Assert.Equal(WorkflowState.Running, await cluster.Client.ResumeAsync(id, ct));
        Assert.Equal(WorkflowState.Succeeded, await cluster.Client.WaitAsync(id, ct));
        var events = await cluster.WatchToEndAsync(id, ct);
        Events.AssertGapFree(events);
        Assert.All(Events.TaskStates(events), kv => Assert.True(Events.Terminals(kv.Value) == 1, $"{kv.Key}: {string.Join(" ", kv.Value)}"));
        AssertStartedAfterResume(events, "second");
    }

    private static void AssertStartedAfterResume(List<WorkflowEvent> events, string task)
    {
        var resumed = events.Single(e => e.Kind == EventKinds.WorkflowUnpaused).Seq;
        Assert.All(events.Where(e => Watch.IsTaskState(e, task, "Running")), e => Assert.True(e.Seq > resumed, $"{task} ran at {e.Seq}, resumed at {resumed}"));
    }

    private static bool IsPausedNote(WorkflowEvent e, string task) =>
        e.Kind == EventKinds.TaskWaiting && e.Task == task && Events.Field(e, "reason")!.Contains("workflow is paused", StringComparison.Ordinal);

    /// <summary>The workflow is paused, its second task ready but not running, and its grain refuses a placement.</summary>
    private static async Task AssertHeldAsync(RuntimeCluster cluster, string id, CancellationToken ct)
    {
        var snapshot = (await Watch.ThroughAsync(() => cluster.Client.GetAsync(id, ct), ct))!;
        Assert.Equal(WorkflowState.Paused, snapshot.State);
        var byName = snapshot.Tasks.ToDictionary(t => t.Name);
        Assert.Equal(TaskState.Succeeded, byName["first"].State);
        Assert.Equal(TaskState.Ready, byName["second"].State);
        var second = cluster.Cluster.Client.GetGrain<ITaskGrain>(new TaskRef(id, byName["second"].Index).Key);
        Assert.Equal(TaskState.Ready, (await Watch.ThroughAsync(second.SyncAsync, ct)).State);
        Assert.Equal(PlacementOutcome.Refused, await Watch.ThroughAsync(() => second.PlaceAsync(1, "no-such-node", []), ct));
    }
}
