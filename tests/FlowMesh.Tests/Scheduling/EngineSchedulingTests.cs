using FlowMesh.Engine.States;
using FlowMesh.Tests.Support;

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
}
