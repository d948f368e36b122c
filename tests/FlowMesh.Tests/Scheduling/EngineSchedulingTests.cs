using FlowMesh.Abstractions;
using FlowMesh.Engine.Store;
using FlowMesh.Tests.Support;
using FlowMesh.Workflows;

namespace FlowMesh.Tests.Scheduling;

/// <summary>Priorities and node selectors through the real engine, parser and store.</summary>
[Trait("Category", "Integration")]
public sealed class EngineSchedulingTests
{
    [Fact]
    public async Task Run_OneSlotAndTasksOfThreePriorities_StartsThemHighestFirst()
    {
        await using var h = await EngineHarness.StartAsync(slots: 1);
        var (state, tasks) = await h.RunAsync("""
            spec:
              graph:
                nodes:
                  - {name: low, spec: {taskType: echo, priority: -10, data: {type: list, items: [a]}}}
                  - {name: middle, spec: {taskType: echo, data: {type: list, items: [b]}}}
                  - {name: high, spec: {taskType: echo, priority: 10, data: {type: list, items: [c]}}}
            """);
        Assert.Equal(WorkflowState.Succeeded, state);
        Assert.Equal(["high", "middle", "low"], tasks.OrderBy(t => t.StartedAt).Select(t => t.Name));
    }

    [Fact]
    public async Task Run_NodeSelectorTheNodeDoesNotMatch_FailsTheTaskNamingTheLabel()
    {
        await using var h = await EngineHarness.StartAsync(null, configure: o => o.NodeLabels["zone"] = "eu-1");
        var (state, tasks) = await h.RunAsync("""
            spec:
              graph:
                nodes:
                  - {name: here, spec: {taskType: echo, nodeSelector: {zone: eu-1}, data: {type: list, items: [a]}}}
                  - {name: elsewhere, spec: {taskType: echo, nodeSelector: {zone: us-2}, data: {type: list, items: [b]}}}
            """);
        Assert.Equal(WorkflowState.Failed, state);
        Assert.Equal(nameof(TaskState.Succeeded), tasks.Single(t => t.Name == "here").State);
        var elsewhere = tasks.Single(t => t.Name == "elsewhere");
        Assert.Equal(nameof(TaskState.Failed), elsewhere.State);
        Assert.Contains("has label zone=eu-1, not us-2", elsewhere.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_SecondTenantBehindABacklog_SharesTheSlotsInsteadOfWaitingItsTurn()
    {
        await using var h = await EngineHarness.StartAsync(slots: 2);
        static WorkflowDefinition Many(string name) => WorkflowParser.Parse($$$"""
            metadata: {name: {{{name}}}}
            spec:
              graph:
                nodes:
            {{{string.Join("\n", Enumerable.Range(0, 20).Select(i => $"      - {{name: t{i}, spec: {{taskType: python, code: \"def main(inputs):\\n    return {i}\\n\"}}}}"))}}}
            """, $"{name}.yaml").Workflow!;

        var first = await h.Engine.SubmitAsync(Many("backlog"), "tenant-a", null, CancellationToken.None);
        var second = await h.Engine.SubmitAsync(Many("late"), "tenant-b", null, CancellationToken.None);
        Assert.Equal(WorkflowState.Succeeded, await h.Engine.WaitAsync(first, CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(3)));
        Assert.Equal(WorkflowState.Succeeded, await h.Engine.WaitAsync(second, CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(3)));

        using var store = FlowMeshStore.OpenReader(h.DataDir);
        var order = store.GetTasks(first).Select(t => (t.StartedAt, Tenant: "a")).Concat(store.GetTasks(second).Select(t => (t.StartedAt, Tenant: "b")))
            .OrderBy(t => t.StartedAt).Select(t => t.Tenant).ToList();

        // First come, first served would start all 20 of tenant a first; fair share gives b about half of the first 20.
        Assert.InRange(order.Take(20).Count(t => t == "b"), 7, 11);
    }
}
