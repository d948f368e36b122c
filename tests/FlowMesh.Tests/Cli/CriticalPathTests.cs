using System.Text.Json;
using FlowMesh.Cli.Remote;
using FlowMesh.Client.Models;

namespace FlowMesh.Tests.Cli;

[Trait("Category", "Unit")]
public sealed class CriticalPathTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Of_DiamondWithSlowBranch_FollowsTheDependencyThatEndedLastWithQueueAndRunTimes()
    {
        // a → (fast, slow) → join: the slow branch bounds the workflow; a requeued attempt's first ready time is not queue time.
        var info = new WorkflowInfo(
            new WorkflowSummary("wf-1", "diamond", "Succeeded", null, "f.yaml", "Yaml", T0, T0.AddSeconds(10), 4, null),
            [Task("a"), Task("fast", "a"), Task("slow", "a"), Task("join", "fast", "slow")],
            new Dictionary<string, int>());
        var events = new List<EventInfo>();
        void State(double at, string task, string state) =>
            events.Add(new EventInfo(events.Count + 1, T0.AddSeconds(at), "task.state", task, JsonDocument.Parse($$"""{"state":"{{state}}"}""").RootElement));
        State(0, "a", "Ready");
        State(0.5, "a", "Running");
        State(1, "a", "Succeeded");
        State(1, "fast", "Ready");
        State(1, "slow", "Ready");
        State(1.1, "fast", "Running");
        State(1.2, "slow", "Running");
        State(2, "fast", "Succeeded");
        State(3, "slow", "Ready");
        State(4, "slow", "Running");
        State(8, "slow", "Succeeded");
        State(8, "join", "Ready");
        State(8.25, "join", "Running");
        State(9, "join", "Succeeded");

        var timings = CriticalPath.Timings(info, events);
        var path = CriticalPath.Of(timings);

        Assert.Equal(["a", "slow", "join"], path.Select(t => t.Name));
        Assert.Equal(TimeSpan.FromSeconds(0.5), path[0].Queue);
        Assert.Equal(TimeSpan.FromSeconds(1), path[1].Queue);
        Assert.Equal(TimeSpan.FromSeconds(4), path[1].Run);
        Assert.Equal(TimeSpan.FromSeconds(0.75), path[2].Run);
        Assert.Equal(TimeSpan.FromSeconds(0.9), timings["fast"].Run);
    }

    [Fact]
    public void Of_NothingEnded_IsEmpty()
    {
        var info = new WorkflowInfo(new WorkflowSummary("wf-2", "idle", "Running", null, "f.yaml", "Yaml", T0, null, 1, null), [Task("a")], new Dictionary<string, int>());
        Assert.Empty(CriticalPath.Of(CriticalPath.Timings(info, [])));
    }

    private static TaskInfo Task(string name, params string[] deps) => new(name, "echo", "Succeeded", deps, 1, "n1", null, null, null, null);
}
