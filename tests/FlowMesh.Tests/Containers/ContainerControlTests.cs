using System.Text.Json.Nodes;
using FlowMesh.Engine.Containers;
using FlowMesh.Abstractions;
using FlowMesh.Engine.Store;
using FlowMesh.Tests.Support;
using FlowMesh.Workflows;

namespace FlowMesh.Tests.Containers;

/// <summary>Timeouts and cancellation of container tasks through the whole engine, against a real container engine.</summary>
[Trait("Category", "Integration")]
public sealed class ContainerControlTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Run_ContainerPastItsTimeout_IsKilledAndTheTaskFailsWithTheReason()
    {
        if (!ContainerRuntime.Available(output))
        {
            return;
        }

        await using var h = await EngineHarness.StartAsync(null, configure: o => o.Containers.DefaultNetwork = "none");
        var started = DateTimeOffset.UtcNow;
        var (state, tasks) = await h.RunAsync($$$"""
            spec:
              graph:
                nodes:
                  - name: slow
                    spec: {taskType: container, image: "{{{ContainerRuntime.Image}}}", command: [sh, -c, "echo started; sleep 300"], timeoutSeconds: 2}
                  - name: after
                    dependsOn: [slow]
                    spec: {taskType: echo, data: {type: list, items: [never]}}
            """);

        Assert.Equal(WorkflowState.Failed, state);
        var slow = tasks.Single(t => t.Name == "slow");
        Assert.Equal("container timed out after 2s and was killed", slow.Error);
        Assert.True(DateTimeOffset.UtcNow - started < TimeSpan.FromSeconds(120), "the timeout did not stop the container");
        Assert.Equal(nameof(TaskState.Failed), tasks.Single(t => t.Name == "after").State);
        using var docker = new DockerClient(ContainerRuntime.Socket!);
        Assert.Empty(await docker.ListAsync($"flowmesh.workflow={slow.WorkflowId}", CancellationToken.None));
    }

    [Fact]
    public async Task Cancel_WhileAContainerRuns_KillsItAndCancelsWhatDependsOnIt()
    {
        if (!ContainerRuntime.Available(output))
        {
            return;
        }

        await using var h = await EngineHarness.StartAsync(null, configure: o => o.Containers.DefaultNetwork = "none");
        var parsed = WorkflowParser.Parse($$$"""
            spec:
              graph:
                nodes:
                  - name: long
                    spec: {taskType: container, image: "{{{ContainerRuntime.Image}}}", command: [sh, -c, "echo started; sleep 300"]}
                  - name: after
                    dependsOn: [long]
                    spec: {taskType: echo, data: {type: list, items: [never]}}
            """, "cancel.yaml");
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Engine.EventsCommitted += events =>
        {
            if (events.Any(e => e.Kind == "task.log" && e.Data.Contains("started", StringComparison.Ordinal)))
            {
                running.TrySetResult();
            }
        };

        var id = await h.Engine.SubmitAsync(parsed.Workflow!, CancellationToken.None);
        await running.Task.WaitAsync(TimeSpan.FromSeconds(120));
        using var docker = new DockerClient(ContainerRuntime.Socket!);
        Assert.Single(await docker.ListAsync($"flowmesh.workflow={id}", CancellationToken.None));

        await h.Engine.CancelAsync(id, "test cancels it", CancellationToken.None);
        Assert.Equal(WorkflowState.Cancelled, await h.Engine.WaitAsync(id, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60)));

        // The kill runs on the node after the cancel commits: wait (bounded) for the container to be gone.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while ((await docker.ListAsync($"flowmesh.workflow={id}", CancellationToken.None)).Count > 0)
        {
            await Task.Delay(100, deadline.Token);
        }

        using var store = FlowMeshStore.Open(h.DataDir);
        var tasks = store.GetTasks(id);
        Assert.All(tasks, t => Assert.Equal(nameof(TaskState.Cancelled), t.State));
        Assert.Contains(store.GetEvents(id, 0, 1000), e => e.Kind == "task.state" && e.Task == "long" && JsonNode.Parse(e.Data)?["state"]?.GetValue<string>() == "Cancelled");
    }
}
