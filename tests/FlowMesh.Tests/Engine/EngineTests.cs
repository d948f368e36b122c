using System.Text.Json.Nodes;
using FlowMesh.Abstractions;
using FlowMesh.Engine.Store;
using FlowMesh.Tests.Support;
using FlowMesh.Workflows;

namespace FlowMesh.Tests.Engine;

[Trait("Category", "Integration")]
public sealed class EngineTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Run_ConditionalEchoCorpus_SkipsConditionalAndRunsAlways()
    {
        if (!Corpus.Available(output))
        {
            return;
        }

        await using var h = await EngineHarness.StartAsync();
        var (state, tasks) = await h.RunAsync(WorkflowParser.ParseFile(Path.Combine(Corpus.Templates, "conditional_echo_test.yaml")).Workflow!);
        Assert.Equal(WorkflowState.Succeeded, state);
        Assert.Equal(["Succeeded", "Skipped", "Succeeded"], tasks.Select(t => t.State));
        Assert.Equal(0, tasks[1].Attempt);
        Assert.True(JsonNode.Parse(tasks[1].Result!)!["skipped"]!.GetValue<bool>());
        Assert.Equal("skip-me", JsonNode.Parse(tasks[2].Result!)!["items"]![0]!["output"]!.GetValue<string>());
    }

    [Fact]
    public async Task Run_EchoGraph_ResolvesItemReferencesAndWritesResultsJson()
    {
        await using var h = await EngineHarness.StartAsync();
        var (state, tasks) = await h.RunAsync("""
            spec:
              graph:
                nodes:
                  - name: a
                    spec: {taskType: echo, data: {type: list, items: [from-a, x, y]}}
                  - name: b
                    spec: {taskType: echo, data: {type: list, items: ["${a.count} items"]}}
                    dependsOn: [a]
                  - name: c
                    dependsOn: [b]
                    spec: {taskType: echo, data: {type: list, items: [{node: a, path: "items[2].output"}, {node: b, path: items.output}]}}
            """);
        Assert.Equal(WorkflowState.Succeeded, state);
        Assert.Equal("3 items", Output(tasks[1], 0));
        Assert.Equal(["y", "3 items"], JsonNode.Parse(tasks[2].Result!)!["items"]!.AsArray().Select(i => i!["output"]!.GetValue<string>()));
        var file = Path.Combine(h.DataDir, "results", tasks[2].WorkflowId, "c", "results.json");
        Assert.Equal("y", JsonNode.Parse(File.ReadAllText(file))!["result"]!["items"]![0]!["output"]!.GetValue<string>());
    }

    [Fact]
    public async Task Run_FailedTask_FailsItsDependentsWithUpstreamReason()
    {
        await using var h = await EngineHarness.StartAsync();
        var (state, tasks) = await h.RunAsync("""
            spec:
              graph:
                nodes:
                  - name: boom
                    spec: {taskType: python, code: "def main(inputs):\n    raise ValueError('bad input')\n"}
                  - name: after
                    dependsOn: [boom]
                    spec: {taskType: echo, data: {type: list, items: [x]}}
                  - name: later
                    dependsOn: [after]
                    spec: {taskType: echo, data: {type: list, items: [x]}}
                  - name: independent
                    spec: {taskType: echo, data: {type: list, items: [ok]}}
            """);
        Assert.Equal(WorkflowState.Failed, state);
        Assert.Equal(["Failed", "Failed", "Failed", "Succeeded"], tasks.Select(t => t.State));
        Assert.Equal("python task failed: ValueError: bad input", tasks[0].Error);
        Assert.Equal("upstream failed: boom", tasks[1].Error);
        Assert.Equal("upstream failed: after", tasks[2].Error);
        Assert.Equal(0, tasks[1].Attempt);
    }

    [Fact]
    public async Task Run_PythonTimeout_KillsTheProcessTree()
    {
        await using var h = await EngineHarness.StartAsync();
        using var dir = new TempDir();
        var pidFile = Path.Combine(dir.Path, "child.pid");
        var (state, tasks) = await h.RunAsync($$"""
            spec:
              taskType: python
              timeoutSeconds: 10
              code: |
                import subprocess, time
                def main(inputs):
                    child = subprocess.Popen(["sleep", "300"])
                    open("{{pidFile}}", "w").write(str(child.pid))
                    print("started", child.pid, flush=True)
                    while True:
                        time.sleep(0.05)
            """);
        Assert.Equal(WorkflowState.Failed, state);
        Assert.Contains("timed out after 10s", tasks[0].Error);
        var pid = int.Parse(File.ReadAllText(pidFile), System.Globalization.CultureInfo.InvariantCulture);
        Assert.False(Directory.Exists($"/proc/{pid}") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal),
            $"the task's child process {pid} outlived the timeout");
    }

    [Fact]
    public async Task Run_PythonLogs_BecomeOrderedEvents()
    {
        await using var h = await EngineHarness.StartAsync();
        var (state, tasks) = await h.RunAsync("spec: {taskType: python, code: \"def main(inputs):\\n    for i in range(150):\\n        print('line', i)\\n    return {'ok': True}\\n\"}");
        Assert.Equal(WorkflowState.Succeeded, state);
        using var store = FlowMeshStore.Open(h.DataDir);
        var events = store.GetEvents(tasks[0].WorkflowId, 0, 10_000);
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Seq));
        var lines = events.Where(e => e.Kind == "task.log").SelectMany(e => JsonNode.Parse(e.Data)!["lines"]!.AsArray()).Select(l => l!["text"]!.GetValue<string>()).ToList();
        Assert.Equal(Enumerable.Range(0, 150).Select(i => $"line {i}"), lines);
        Assert.Contains(events, e => e.Kind == "task.result");
    }

    [Fact]
    public async Task Run_TaskTypeNoNodeRuns_FailsWithTheReason()
    {
        await using var h = await EngineHarness.StartAsync();
        var (state, tasks) = await h.RunAsync("spec: {taskType: rag, qdrant: {url: http://127.0.0.1:1, collection: c}, data: {type: list, items: [q]}}");
        Assert.Equal(WorkflowState.Failed, state);
        Assert.Contains("no executor for taskType 'rag'", tasks[0].Error);
    }

    [Fact]
    public async Task Run_Chain10000_ReadyTrackingIsLinear()
    {
        await using var h = await EngineHarness.StartAsync();
        const int n = 10_000;
        var tasks = Enumerable.Range(0, n).Select(i => Echo($"t{i}", i == 0 ? [] : [$"t{i - 1}"])).ToList();
        var (state, rows) = await h.RunAsync(new WorkflowDefinition("chain", null, null, null, "chain", WorkflowFormat.FlowMesh, tasks));
        Assert.Equal(WorkflowState.Succeeded, state);
        Assert.All(rows, r => Assert.Equal("Succeeded", r.State));
        AssertLinear(h, tasks.Count, edges: n - 1);
    }

    [Fact]
    public async Task Run_Fanout100000_ReadyTrackingIsLinear()
    {
        await using var h = await EngineHarness.StartAsync(slots: 512, cpus: 1024);
        const int n = 100_000;
        var tasks = new List<TaskDefinition>(n + 1) { Echo("root", []) };
        tasks.AddRange(Enumerable.Range(0, n - 2).Select(i => Echo($"f{i}", ["root"])));
        tasks.Add(Echo("sink", ["root"]));
        var (state, rows) = await h.RunAsync(new WorkflowDefinition("fanout", null, null, null, "fanout", WorkflowFormat.FlowMesh, tasks));
        Assert.Equal(WorkflowState.Succeeded, state);
        Assert.Equal(n, rows.Count(r => r.State == "Succeeded"));
        AssertLinear(h, n, edges: n - 1);
    }

    private static void AssertLinear(EngineHarness h, int tasks, int edges)
    {
        // Each edge is looked at when the graph is linked and once when its upstream finishes: 2E, never E x V.
        Assert.InRange(h.Engine.Counters.EdgeVisits, edges, 2L * edges);

        // Pending -> Ready -> Running -> Succeeded: three transitions per task, no rescans.
        Assert.Equal(3L * tasks, h.Engine.Counters.Transitions);
    }

    private static TaskDefinition Echo(string name, string[] deps) => new(name, "echo", deps,
        new JsonObject { ["taskType"] = "echo", ["data"] = new JsonObject { ["type"] = "list", ["items"] = new JsonArray("x") } },
        ResourceRequest.None, null);

    private static string Output(TaskRow t, int i) => JsonNode.Parse(t.Result!)!["items"]![i]!["output"]!.GetValue<string>();
}
