using FlowMesh.Abstractions;
using FlowMesh.Engine.Store;
using FlowMesh.Tests.Support;
using FlowMesh.Workflows;

namespace FlowMesh.Tests.Control;

/// <summary>Pausing and resuming a workflow on the real engine, with explicit barriers (a file the first task waits for).</summary>
[Trait("Category", "Integration")]
public sealed class PauseTests
{
    [Fact]
    public async Task Pause_WhileATaskRuns_LetsItFinishButStartsNothingUntilResumed()
    {
        using var dir = new TempDir();
        var barrier = Path.Combine(dir.Path, "go");
        await using var h = await EngineHarness.StartAsync();
        var parsed = WorkflowParser.Parse($$$"""
            spec:
              graph:
                nodes:
                  - name: first
                    spec:
                      taskType: python
                      code: |
                        import os, time
                        def main(inputs):
                            print("waiting")
                            while not os.path.exists("{{{barrier}}}"):
                                time.sleep(0.02)
                            return {"done": True}
                  - name: second
                    dependsOn: [first]
                    spec: {taskType: echo, data: {type: list, items: [after]}}
            """, "pause.yaml");
        var firstRunning = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var secondHeld = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Engine.EventsCommitted += events =>
        {
            foreach (var e in events)
            {
                if (e.Kind == "task.log" && e.Task == "first")
                {
                    firstRunning.TrySetResult();
                }

                if (e.Kind == "task.waiting" && e.Task == "second" && e.Data.Contains("workflow is paused", StringComparison.Ordinal))
                {
                    secondHeld.TrySetResult();
                }
            }
        };

        var id = await h.Engine.SubmitAsync(parsed.Workflow!, CancellationToken.None);
        await firstRunning.Task.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal("Paused", await h.Engine.PauseAsync(id, paused: true, CancellationToken.None));
        Assert.Equal("Paused", await h.Engine.PauseAsync(id, paused: true, CancellationToken.None)); // pausing twice changes nothing

        await File.WriteAllTextAsync(barrier, "go");
        await secondHeld.Task.WaitAsync(TimeSpan.FromSeconds(60));
        using (var store = FlowMeshStore.OpenReader(h.DataDir))
        {
            var tasks = store.GetTasks(id);
            Assert.Equal(nameof(TaskState.Succeeded), tasks.Single(t => t.Name == "first").State);
            Assert.Equal(nameof(TaskState.Ready), tasks.Single(t => t.Name == "second").State);
            Assert.Equal("Paused", store.GetWorkflow(id)!.State);
        }

        Assert.Equal("Running", await h.Engine.PauseAsync(id, paused: false, CancellationToken.None));
        Assert.Equal(WorkflowState.Succeeded, await h.Engine.WaitAsync(id, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60)));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => h.Engine.PauseAsync(id, paused: true, CancellationToken.None));
    }
}
