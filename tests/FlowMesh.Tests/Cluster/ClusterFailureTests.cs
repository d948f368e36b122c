using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using FlowMesh.Client;
using FlowMesh.Client.Models;
using FlowMesh.Tests.Support;

namespace FlowMesh.Tests.Cluster;

/// <summary>
/// Cluster mode under failure, with real processes over a real PostgreSQL: replicas and agents killed with -9, the
/// database crashed and restarted. Each test counts that every task ended in exactly one terminal state, once.
/// </summary>
[Trait("Category", "Integration")]
[Collection(TestPostgres.Collection)]
public sealed class ClusterFailureTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task KillLeader_MidThousandTaskWorkflow_CompletesThroughTheOtherReplicas()
    {
        if (!TestPostgres.Available(output))
        {
            return;
        }

        await using var cluster = await TestCluster.StartAsync(replicas: 3, leaseSeconds: 3);
        await cluster.StartAgentAsync("agent-1");
        await cluster.StartAgentAsync("agent-2");
        var leader = await cluster.LeaderAsync(TimeSpan.FromSeconds(30));
        var (submitVia, watchVia) = Others(cluster, leader);
        var submitted = await cluster.Client(submitVia).SubmitAsync(FanOut("thousand", 1000));
        Assert.Equal(1000, submitted.Tasks.Count);

        // Kill the leader once a fifth of the tasks are done (watched through another replica, live).
        var watcher = cluster.Client(watchVia);
        await WaitForSucceededAsync(watcher, submitted.WorkflowId, 200);
        await leader.KillAsync();
        var next = await cluster.LeaderAsync(TimeSpan.FromSeconds(30), not: leader);
        Assert.NotSame(leader, next);
        var seen = await watcher.GetClusterAsync();
        Assert.Equal(("cluster", 2L), (seen.Mode, seen.Term));
        Assert.EndsWith("-" + next.Pid(), seen.Leader, StringComparison.Ordinal);

        var done = await WaitForEndAsync(watcher, submitted.WorkflowId);
        AssertSucceeded(done, cluster);
        await AssertEachTaskFinishedOnceAsync(watcher, submitted.WorkflowId, 1000);
        AssertAcknowledgedCompletionsKept(cluster, done);
        Assert.Equal("Succeeded", (await cluster.Client(submitVia).GetAsync(submitted.WorkflowId)).Workflow.State);
    }

    [Fact]
    public async Task PostgresCrash_DuringAWorkflow_ServersAndAgentsReconnectAndItCompletes()
    {
        if (!TestPostgres.Available(output))
        {
            return;
        }

        await using var cluster = await TestCluster.StartAsync(replicas: 2, leaseSeconds: 3);
        await cluster.StartAgentAsync("agent-1");
        await cluster.LeaderAsync(TimeSpan.FromSeconds(30));
        var client = cluster.Client(cluster.Replicas[1]);
        var submitted = await client.SubmitAsync(FanOut("crash", 300));
        await WaitForSucceededAsync(client, submitted.WorkflowId, 50);

        await TestPostgres.CrashAsync();
        await TestPostgres.StartAsync();

        var done = await WaitForEndAsync(client, submitted.WorkflowId);
        AssertSucceeded(done, cluster);
        await AssertEachTaskFinishedOnceAsync(client, submitted.WorkflowId, 300);
        AssertAcknowledgedCompletionsKept(cluster, done);
        Assert.Contains(cluster.Replicas, r => r.Log.Contains("leads the cluster in term 2", StringComparison.Ordinal)
            || r.Log.Contains("leads the cluster in term 3", StringComparison.Ordinal));
    }

    [Fact]
    public async Task KillAgent_MidTask_RunsElsewhereLateReportRefusedAndARepeatedReportAnsweredTheSame()
    {
        if (!TestPostgres.Available(output))
        {
            return;
        }

        await using var cluster = await TestCluster.StartAsync(replicas: 2, leaseSeconds: 2);
        var leader = await cluster.LeaderAsync(TimeSpan.FromSeconds(30));
        var (other, _) = Others(cluster, leader);
        var barrier = Path.Combine(cluster.Dir.Path, "release");
        var first = await cluster.StartAgentAsync("node-first");
        var client = cluster.Client(other);
        var submitted = await client.SubmitAsync(Server.Workflows.Waiter("lease", barrier));
        await first.WaitForLineAsync(l => l.Contains("running", StringComparison.Ordinal) && l.Contains("attempt 1", StringComparison.Ordinal), Limit);
        var second = await cluster.StartAgentAsync("node-second");

        await first.KillAsync();
        await second.WaitForLineAsync(l => l.Contains("running", StringComparison.Ordinal) && l.Contains("attempt 2", StringComparison.Ordinal), Limit);
        await File.WriteAllTextAsync(barrier, "go");
        var done = await WaitForEndAsync(client, submitted.WorkflowId);
        Assert.Equal(("Succeeded", "node-second", 2), (done.Tasks[0].State, done.Tasks[0].Node, done.Tasks[0].Attempt));

        // The killed agent speaks late, through either replica: refused, nothing changes.
        foreach (var replica in cluster.Replicas)
        {
            using var http = replica.Http(cluster.AdminToken);
            var late = await http.PostAsJsonAsync($"/api/v1/agent/nodes/node-first/tasks/{submitted.WorkflowId}/0/report",
                new { attempt = 1, finished = true, succeeded = false, error = "late", lines = Array.Empty<object>() });
            Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
            Assert.Equal("stale_lease", (await late.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        }

        // The completion that was applied, delivered again (a retry after a lost answer): the same answer, applied once.
        foreach (var replica in cluster.Replicas)
        {
            using var http = replica.Http(cluster.AdminToken);
            var again = await http.PostAsJsonAsync($"/api/v1/agent/nodes/node-second/tasks/{submitted.WorkflowId}/0/report",
                new { attempt = 2, finished = true, succeeded = true, result = new { value = "ok" }, lines = Array.Empty<object>() });
            Assert.Equal(HttpStatusCode.NoContent, again.StatusCode);
        }

        var after = await client.GetAsync(submitted.WorkflowId);
        Assert.Equal(("Succeeded", 2), (after.Tasks[0].State, after.Tasks[0].Attempt));
        await AssertEachTaskFinishedOnceAsync(client, submitted.WorkflowId, 1);
    }

    private static void AssertSucceeded(WorkflowInfo done, TestCluster cluster)
    {
        var failed = done.Tasks.FirstOrDefault(t => t.State != "Succeeded");
        Assert.True(done.Workflow.State == "Succeeded" && failed is null,
            $"workflow {done.Workflow.State}: {done.Workflow.Error}; task {failed?.Name} {failed?.State}: {failed?.Error}\n"
            + string.Join("\n----\n", cluster.Replicas.Select(r => string.Join('\n', r.Log.Split('\n').Where(l => l.Contains("warn", StringComparison.Ordinal) || l.Contains("fail", StringComparison.Ordinal) || l.Contains("lead", StringComparison.Ordinal)).Take(30)))));
    }

    /// <summary>
    /// Every completion an agent saw acknowledged (it prints "WF/TASK attempt N succeeded" only for a report the server
    /// took) is the task's final outcome: no acknowledged completion was lost and run again.
    /// </summary>
    private static void AssertAcknowledgedCompletionsKept(TestCluster cluster, WorkflowInfo done)
    {
        var pattern = new System.Text.RegularExpressions.Regex($@"{System.Text.RegularExpressions.Regex.Escape(done.Workflow.Id)}/(?<task>\S+) attempt (?<attempt>\d+) succeeded$");
        var tasks = done.Tasks.ToDictionary(t => t.Name);
        var acknowledged = cluster.Agents.SelectMany(a => a.Log.Split('\n')).Select(l => pattern.Match(l.TrimEnd())).Where(m => m.Success).ToList();
        Assert.NotEmpty(acknowledged);
        foreach (var m in acknowledged)
        {
            var task = tasks[m.Groups["task"].Value];
            Assert.True(task.State == "Succeeded" && task.Attempt == int.Parse(m.Groups["attempt"].Value, System.Globalization.CultureInfo.InvariantCulture),
                $"{task.Name}: acknowledged attempt {m.Groups["attempt"].Value}, ended {task.State} at attempt {task.Attempt}");
        }
    }

    private static (ServerProcess A, ServerProcess B) Others(TestCluster cluster, ServerProcess leader)
    {
        var others = cluster.Replicas.Where(r => r != leader).ToList();
        return (others[0], others[^1]);
    }

    private static string FanOut(string name, int tasks)
    {
        var yaml = new StringBuilder($$"""
            apiVersion: flowmesh/v1
            kind: Workflow
            metadata: {name: {{name}}}
            spec:
              taskType: echo
              data: {type: list, items: [x]}
              graph:
                nodes:

            """);
        for (var i = 0; i < tasks; i++)
        {
            yaml.Append("      - name: t").Append(i).Append('\n');
        }

        return yaml.ToString();
    }

    /// <summary>Follows the event stream until <paramref name="count"/> tasks have succeeded.</summary>
    private static async Task WaitForSucceededAsync(FlowMeshClient client, string workflowId, int count)
    {
        using var timeout = new CancellationTokenSource(Limit);
        var succeeded = 0;
        await foreach (var e in client.WatchAsync(workflowId, cancellationToken: timeout.Token))
        {
            if (IsTaskSucceeded(e) && ++succeeded >= count)
            {
                return;
            }
        }

        Assert.Fail($"the workflow ended before {count} tasks succeeded");
    }

    /// <summary>Follows the event stream (reconnecting through replica failures) until the workflow ends.</summary>
    private static async Task<WorkflowInfo> WaitForEndAsync(FlowMeshClient client, string workflowId)
    {
        using var timeout = new CancellationTokenSource(Limit);
        await foreach (var e in client.WatchAsync(workflowId, cancellationToken: timeout.Token))
        {
            if (e.Kind == "workflow.state" && e.Data.GetProperty("state").GetString() is "Succeeded" or "Failed" or "Cancelled")
            {
                break;
            }
        }

        return await client.GetAsync(workflowId, timeout.Token);
    }

    /// <summary>Every task's event log shows exactly one terminal transition, and it is a success.</summary>
    private static async Task AssertEachTaskFinishedOnceAsync(FlowMeshClient client, string workflowId, int tasks)
    {
        var terminal = new Dictionary<string, int>(StringComparer.Ordinal);
        long cursor = 0;
        while (true)
        {
            var page = await client.GetEventsAsync(workflowId, cursor, 1000);
            foreach (var e in page.Items.Where(e => e.Kind == "task.state" && e.Data.GetProperty("state").GetString() is "Succeeded" or "Failed" or "Cancelled" or "Skipped"))
            {
                terminal[e.Task!] = terminal.GetValueOrDefault(e.Task!) + 1;
                Assert.Equal("Succeeded", e.Data.GetProperty("state").GetString());
            }

            if (page.Items.Count == 0 || page.Finished && page.NextCursor == cursor)
            {
                break;
            }

            cursor = page.NextCursor;
        }

        Assert.Equal(tasks, terminal.Count);
        Assert.All(terminal, kv => Assert.True(kv.Value == 1, $"task {kv.Key} finished {kv.Value} times"));
    }

    private static bool IsTaskSucceeded(EventInfo e) => e.Kind == "task.state" && e.Data.GetProperty("state").GetString() == "Succeeded";
}
