using System.Text.Json.Nodes;
using FlowMesh.Engine.Actors;
using FlowMesh.Abstractions;
using FlowMesh.Engine.Store;
using FlowMesh.Tests.Support;
using FlowMesh.Workflows;

namespace FlowMesh.Tests.Scheduling;

/// <summary>GPU-second budgets through the real engine and store: a spent hard budget holds GPU work with the reason; a soft one flags it.</summary>
[Trait("Category", "Integration")]
public sealed class BudgetTests
{
    private const string GpuWorkflow = """
        spec:
          graph:
            nodes:
              - name: cpu-only
                spec: {taskType: echo, data: {type: list, items: [fine]}}
              - name: on-gpu
                spec:
                  taskType: echo
                  resources: {hardware: {gpu: {type: any, count: 1}}}
                  data: {type: list, items: [gpu]}
        """;

    [Fact]
    public async Task Run_HardBudgetSpent_HoldsGpuTasksWithTheReasonAndRunsTheRest()
    {
        await using var h = await StartAsync(hard: true);
        var held = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var cpuDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Engine.EventsCommitted += events =>
        {
            if (events.Any(e => e.Kind == "task.state" && e.Task == "cpu-only" && e.Data.Contains("\"Succeeded\"", StringComparison.Ordinal)))
            {
                cpuDone.TrySetResult();
            }

            foreach (var e in events.Where(e => e.Kind == "task.waiting" && e.Task == "on-gpu"))
            {
                held.TrySetResult(JsonNode.Parse(e.Data)!["reason"]!.GetValue<string>());
            }
        };

        var id = await h.Engine.SubmitAsync(WorkflowParser.Parse(GpuWorkflow, "budget.yaml").Workflow!, CancellationToken.None);
        var reason = await held.Task.WaitAsync(TimeSpan.FromSeconds(60));
        await cpuDone.Task.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.StartsWith("budget: tenant default used 3600 of 100 GPU-seconds this period (hard limit", reason, StringComparison.Ordinal);

        using (var store = FlowMeshStore.OpenReader(h.DataDir))
        {
            var tasks = store.GetTasks(id);
            Assert.Equal(nameof(TaskState.Ready), tasks.Single(t => t.Name == "on-gpu").State);
            Assert.Equal(reason, tasks.Single(t => t.Name == "on-gpu").Waiting);
        }

        await h.Engine.CancelAsync(id, "test", CancellationToken.None);
        Assert.Equal(WorkflowState.Cancelled, await h.Engine.WaitAsync(id, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60)));
        using var after = FlowMeshStore.OpenReader(h.DataDir);
        Assert.Equal(nameof(TaskState.Succeeded), after.GetTasks(id).Single(t => t.Name == "cpu-only").State);
    }

    [Fact]
    public async Task Run_SoftBudgetSpent_RunsGpuTasksAndFlagsThem()
    {
        await using var h = await StartAsync(hard: false);
        var (state, tasks) = await h.RunAsync(GpuWorkflow);
        Assert.Equal(WorkflowState.Succeeded, state);
        using var store = FlowMeshStore.OpenReader(h.DataDir);
        var flag = Assert.Single(store.GetEvents(tasks[0].WorkflowId, 0, 1000, kind: "task.over_budget"));
        Assert.Equal("on-gpu", flag.Task);
        Assert.Contains("soft limit", flag.Data, StringComparison.Ordinal);
    }

    /// <summary>An engine with two declared GPUs whose default tenant has a 100 GPU-second daily budget and has used an hour of a GPU today.</summary>
    private static Task<EngineHarness> StartAsync(bool hard) => EngineHarness.StartAsync(null, configure: options =>
    {
        options.NodeGpus.Add(new GpuDevice(0, "NVIDIA H100 80GB HBM3", 80L << 30));
        options.NodeGpus.Add(new GpuDevice(1, "NVIDIA H100 80GB HBM3", 80L << 30));
        using var store = FlowMeshStore.Open(options.DataDirectory);
        using var tx = store.Begin();
        var now = DateTimeOffset.UtcNow;
        tx.InsertTenant(new TenantRow(StoreSchema.DefaultTenant, now, true, 0, 0, BudgetGpuSeconds: 100, BudgetPeriodSeconds: 86400, BudgetHard: hard));
        tx.InsertUsage(new UsageRow("wf-earlier", "train", 1, StoreSchema.DefaultTenant, "node-x", "Succeeded", 1, now.AddHours(-1), now, 3_600_000, 3600));
        tx.Commit();
    });
}
