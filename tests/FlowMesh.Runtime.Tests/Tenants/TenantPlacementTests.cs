using System.Globalization;
using System.Text;
using FlowMesh.Abstractions;
using FlowMesh.Runtime.Tests.Runtime;
using FlowMesh.Runtime.Tests.Support;

namespace FlowMesh.Runtime.Tests.Tenants;

/// <summary>Tenants' quotas, weights and budgets as the placement grain honours them, on a real cluster over a real Redis.</summary>
[Collection(RedisCollection.Name)]
[Trait("Category", "Integration")]
public sealed class TenantPlacementTests
{
    private const string OneGpu = "resources: {hardware: {gpu: {type: any, count: 1}}}";

    [RedisFact]
    public async Task SubmitAsync_RunningTaskQuotaOfTwo_RunsAtMostTwoAtOnceAndFinishesAll()
    {
        var ct = Timeouts.Scenario(90);
        await using var cluster = await RuntimeCluster.StartAsync(silos: 1, slots: 8, gpus: 0);
        await cluster.Tenant("quota").ConfigureAsync(new TenantSettings(MaxRunningTasks: 2));
        var gate = Path.Combine(cluster.DataDirectory, "gate");

        var submitted = await cluster.SubmitAsync(GatedWorkflow("quota", 5, gate), "quota", ct);
        var twoRunning = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var watch = WatchRunningAsync(cluster, submitted.Id, running => running >= 2, twoRunning, ct);
        await twoRunning.Task.WaitAsync(ct);
        var waiting = await Eventually.WaitAsync(() => cluster.Placement.WaitingAsync(submitted.Id), w => w.Count == 3, ct);
        await File.WriteAllTextAsync(gate, "open", ct);
        var (events, most) = await watch;

        Assert.All(waiting.Values, r => Assert.Equal("tenant quota: 2 of 2 running tasks in use", r));
        Assert.Equal(2, most);

        // The reason reached the workflow's log too, once per task that waited for it (a changed reason only).
        var noted = events.Where(e => e.Kind == EventKinds.TaskWaiting && Events.Field(e, "reason") == "tenant quota: 2 of 2 running tasks in use").ToList();
        Assert.Equal(3, noted.Select(e => e.Task).Distinct().Count());
        Assert.Equal(noted.Count, noted.Select(e => e.Task).Distinct().Count());
        Assert.Equal("Succeeded", Events.Field(events[^1], "state"));
        Assert.All(Events.TaskStates(events).Values, s => Assert.Equal(["Ready", "Running", "Succeeded"], s));
    }

    [RedisFact]
    public async Task SubmitAsync_WeightsThreeToOneFloodingTheSameSlots_PlacesRoughlyThreeToOne()
    {
        var ct = Timeouts.Scenario(120);
        await using var cluster = await RuntimeCluster.StartAsync(silos: 1, slots: 4, gpus: 0);
        await cluster.Tenant("heavy").ConfigureAsync(new TenantSettings(Weight: 3));
        await cluster.Tenant("light").ConfigureAsync(new TenantSettings(Weight: 1));
        var gate = Path.Combine(cluster.DataDirectory, "gate");

        // Blockers fill every slot, so both floods are queued in full before any of them runs.
        var blockers = await cluster.SubmitAsync(GatedWorkflow("blockers", 4, gate), "blocker", ct);
        var allBlocked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var blocking = WatchRunningAsync(cluster, blockers.Id, running => running >= 4, allBlocked, ct);
        await allBlocked.Task.WaitAsync(ct);
        const int Tasks = 60;
        var heavy = await cluster.SubmitAsync(Flood("heavy", Tasks), "heavy", ct);
        var light = await cluster.SubmitAsync(Flood("light", Tasks), "light", ct);
        await Eventually.WaitAsync(cluster.Placement.QueuedAsync, q => q.GetValueOrDefault("heavy") == Tasks && q.GetValueOrDefault("light") == Tasks, ct);
        await File.WriteAllTextAsync(gate, "open", ct);
        await blocking;
        var heavyEvents = await WatchToEndAsync(cluster, heavy.Id, ct);
        var lightEvents = await WatchToEndAsync(cluster, light.Id, ct);

        // The window is while both have work queued: up to heavy's last placement (heavy, with 3 of every 4, runs out first).
        var placements = heavyEvents.Concat(lightEvents)
            .Where(e => e.Kind == EventKinds.TaskState && Events.Field(e, "state") == "Running")
            .OrderBy(e => e.At)
            .ToList();
        var window = placements.Take(placements.FindLastIndex(e => e.WorkflowId == heavy.Id) + 1).ToList();
        var heavyShare = window.Count(e => e.WorkflowId == heavy.Id) / (double)window.Count;
        // 3:1 is 0.75; equal weights would give 0.5.
        Assert.InRange(heavyShare, 0.65, 0.85);
        Assert.Equal("Succeeded", Events.Field(heavyEvents[^1], "state"));
        Assert.Equal("Succeeded", Events.Field(lightEvents[^1], "state"));
    }

    [RedisFact]
    public async Task SubmitAsync_HardBudgetSpent_HoldsTheGpuTaskWithTheReasonUntilTheBudgetIsRaised()
    {
        var ct = Timeouts.Scenario(90);
        await using var cluster = await RuntimeCluster.StartAsync(silos: 1, slots: 4, gpus: 2);
        var tenant = cluster.Tenant("capped");
        await tenant.ConfigureAsync(new TenantSettings(BudgetGpuSeconds: 100, BudgetPeriodSeconds: 86400));
        var now = DateTimeOffset.UtcNow;
        await tenant.RecordUsageAsync(new TenantUsageRecord(new TaskRef("earlier", 0), 1, "gone", 1, now.AddHours(-1), now));

        var submitted = await cluster.SubmitAsync(GpuWorkflow("capped"), "capped", ct);
        var waiting = await Eventually.WaitAsync(() => cluster.Placement.WaitingAsync(submitted.Id), w => w.ContainsKey(1), ct);
        var held = await cluster.Client.GetAsync(submitted.Id, ct);
        await tenant.ConfigureAsync(new TenantSettings(BudgetGpuSeconds: 1_000_000, BudgetPeriodSeconds: 86400));
        var state = await cluster.Client.WaitAsync(submitted.Id, ct);

        Assert.StartsWith("budget: tenant capped used 3600 of 100 GPU-seconds this period (hard limit; resets ", waiting[1], StringComparison.Ordinal);
        Assert.False(waiting.ContainsKey(0));
        Assert.Equal(TaskState.Ready, held!.Tasks[1].State);
        Assert.Equal(WorkflowState.Succeeded, state);
    }

    [RedisFact]
    public async Task ReleaseAsync_RepeatedForAFinishedGpuAttempt_RecordsItsUsageOnce()
    {
        var ct = Timeouts.Scenario(90);
        await using var cluster = await RuntimeCluster.StartAsync(silos: 1, slots: 4, gpus: 2);
        var tenant = cluster.Tenant("metered");

        var submitted = await cluster.SubmitAsync(GpuWorkflow("metered"), "metered", ct);
        Assert.Equal(WorkflowState.Succeeded, await cluster.Client.WaitAsync(submitted.Id, ct));
        var counted = await Eventually.WaitAsync(tenant.GetAsync, v => v.Recent.Length > 0, ct);
        var usage = Assert.Single(counted.Recent);
        await cluster.Placement.ReleaseAsync(usage.NodeId, usage.Task, usage.Attempt);
        var resent = await tenant.RecordUsageAsync(usage);
        var after = await tenant.GetAsync();

        Assert.Equal(new TaskRef(submitted.Id, 1), usage.Task);
        Assert.Equal(1, usage.Attempt);
        Assert.Equal(1, usage.Gpus);
        Assert.True(counted.GpuSeconds > 0);
        Assert.Equal(counted.GpuSeconds, resent.GpuSeconds);
        Assert.Equal(counted.GpuSeconds, after.GpuSeconds);
        Assert.Equal(counted.Version, after.Version);
        Assert.Single(after.Recent);
    }

    [RedisFact]
    public async Task SubmitAsync_SoftBudgetSpent_RunsTheGpuTaskAndFlagsIt()
    {
        var ct = Timeouts.Scenario(90);
        await using var cluster = await RuntimeCluster.StartAsync(silos: 1, slots: 4, gpus: 2);
        var tenant = cluster.Tenant("soft");
        await tenant.ConfigureAsync(new TenantSettings(BudgetGpuSeconds: 100, BudgetPeriodSeconds: 86400, BudgetHard: false));
        var now = DateTimeOffset.UtcNow;
        await tenant.RecordUsageAsync(new TenantUsageRecord(new TaskRef("earlier", 0), 1, "gone", 1, now.AddHours(-1), now));

        var submitted = await cluster.SubmitAsync(GpuWorkflow("soft"), "soft", ct);
        var state = await cluster.Client.WaitAsync(submitted.Id, ct);
        var flagged = await Eventually.WaitAsync(tenant.GetAsync, v => v.OverBudget.Length > 0, ct);

        Assert.Equal(WorkflowState.Succeeded, state);
        var flag = Assert.Single(flagged.OverBudget);
        Assert.Equal(new TaskRef(submitted.Id, 1), flag.Task);
        Assert.Equal(1, flag.Attempt);
        Assert.StartsWith("budget: tenant soft used 3600 of 100 GPU-seconds this period (soft limit; resets ", flag.Reason, StringComparison.Ordinal);
    }

    [RedisFact]
    public async Task SubmitAsync_TaskAsksMoreGpusThanItsTenantMayUse_FailsItWithTheReason()
    {
        var ct = Timeouts.Scenario(90);
        await using var cluster = await RuntimeCluster.StartAsync(silos: 1, slots: 4, gpus: 2);
        await cluster.Tenant("small").ConfigureAsync(new TenantSettings(MaxGpus: 1));
        const string Yaml = """
            apiVersion: flowmesh/v1
            kind: Workflow
            metadata: {name: too-big}
            spec:
              stages:
                - name: two-gpus
                  spec:
                    taskType: echo
                    resources: {hardware: {gpu: {type: any, count: 2}}}
                    data: {type: list, items: [never]}
            """;

        var submitted = await cluster.SubmitAsync(Yaml, "small", ct);
        var state = await cluster.Client.WaitAsync(submitted.Id, ct);

        Assert.Equal(WorkflowState.Failed, state);
        var task = Assert.Single((await cluster.Client.GetAsync(submitted.Id, ct))!.Tasks);
        Assert.Equal(TaskState.Failed, task.State);
        Assert.Equal("asks for 2 GPU(s), tenant small may use at most 1", task.Error);
    }

    [RedisFact]
    public async Task ConfigureAsync_WeightOfZero_ThrowsTenantSettingsExceptionAndKeepsTheSettings()
    {
        await using var cluster = await RuntimeCluster.StartAsync(silos: 1, slots: 1, gpus: 0);
        var tenant = cluster.Tenant("strict");
        await tenant.ConfigureAsync(new TenantSettings(Weight: 2));

        await Assert.ThrowsAsync<TenantSettingsException>(() => tenant.ConfigureAsync(new TenantSettings(Weight: 0)));

        Assert.Equal(2, (await tenant.GetAsync()).Settings.Weight);
    }

    /// <summary>Follows a workflow to its end, counting its attempts that run at once; signals when <paramref name="reached"/> first holds.</summary>
    private static Task<(List<WorkflowEvent> Events, int Most)> WatchRunningAsync(
        RuntimeCluster cluster, string id, Func<int, bool> reached, TaskCompletionSource signal, CancellationToken cancellationToken) =>
        Task.Run(async () =>
        {
            var events = new List<WorkflowEvent>();
            var running = new HashSet<string>(StringComparer.Ordinal);
            var most = 0;
            await foreach (var e in cluster.Client.WatchAsync(id, 0, cancellationToken))
            {
                events.Add(e);
                if (e.Kind == EventKinds.TaskState && e.Task is { } task)
                {
                    _ = Events.Field(e, "state") == "Running" ? running.Add(task) : running.Remove(task);
                    most = Math.Max(most, running.Count);
                    if (reached(running.Count))
                    {
                        signal.TrySetResult();
                    }
                }
            }

            return (events, most);
        }, cancellationToken);

    private static async Task<List<WorkflowEvent>> WatchToEndAsync(RuntimeCluster cluster, string id, CancellationToken cancellationToken)
    {
        var events = new List<WorkflowEvent>();
        await foreach (var e in cluster.Client.WatchAsync(id, 0, cancellationToken))
        {
            events.Add(e);
        }

        return events;
    }

    /// <summary><paramref name="count"/> independent python tasks that each wait for <paramref name="gate"/> to exist.</summary>
    private static string GatedWorkflow(string name, int count, string gate)
    {
        var yaml = new StringBuilder().Append(CultureInfo.InvariantCulture, $"apiVersion: flowmesh/v1\nkind: Workflow\nmetadata: {{name: {name}}}\nspec:\n  stages:\n");
        for (var i = 0; i < count; i++)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"    - name: wait-{i}\n      dependsOn: []\n      spec:\n        taskType: python\n")
                .Append(CultureInfo.InvariantCulture, $"        code: \"import time, pathlib\\ndef main(inputs):\\n    while not pathlib.Path('{gate}').exists():\\n        time.sleep(0.05)\\n    return {{'ok': True}}\\n\"\n");
        }

        return yaml.ToString();
    }

    private static string Flood(string name, int count)
    {
        var yaml = new StringBuilder().Append(CultureInfo.InvariantCulture, $"apiVersion: flowmesh/v1\nkind: Workflow\nmetadata: {{name: {name}}}\nspec:\n  stages:\n");
        for (var i = 0; i < count; i++)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"    - name: e-{i}\n      dependsOn: []\n      spec: {{taskType: echo, data: {{type: list, items: [x{i}]}}}}\n");
        }

        return yaml.ToString();
    }

    /// <summary>A CPU task (index 0) and a one-GPU task (index 1), independent of each other.</summary>
    private static string GpuWorkflow(string name) => $$$"""
        apiVersion: flowmesh/v1
        kind: Workflow
        metadata: {name: {{{name}}}}
        spec:
          stages:
            - name: on-cpu
              spec: {taskType: echo, data: {type: list, items: [cpu]}}
            - name: on-gpu
              spec:
                taskType: echo
                {{{OneGpu}}}
                data: {type: list, items: [gpu]}
        """;
}
