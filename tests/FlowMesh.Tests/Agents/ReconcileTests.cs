using FlowMesh.Client;
using FlowMesh.Tests.Support;

namespace FlowMesh.Tests.Agents;

/// <summary>Restarts on either side of the agent protocol: each side reconciles what the other still runs.</summary>
[Trait("Category", "Integration")]
public sealed class ReconcileTests : IDisposable
{
    private readonly TempDir _dir = new();

    [Fact]
    public async Task ServerRestart_AgentRejoinsStillRunningIt_TaskIsAdoptedAndFinishesOnItsFirstAttempt()
    {
        var url = $"http://127.0.0.1:{Ports.FreeLoopback()}";
        var data = Path.Combine(_dir.Path, "server");
        var barrier = Path.Combine(_dir.Path, "release");
        var server = await ServerProcess.StartServerAsync(data, "--urls", url, "--lease-seconds", "2");
        await using var agent = await AgentProcess.StartAsync(server, "node-steady", Path.Combine(_dir.Path, "node"));
        string workflowId;
        using (var client = server.Client(server.AdminToken))
        {
            workflowId = (await client.SubmitAsync(Server.Workflows.Waiter("reconcile", barrier))).WorkflowId;
        }

        await agent.WaitForLineAsync(l => l.Contains("running", StringComparison.Ordinal) && l.Contains("attempt 1", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        Assert.Equal(0, await server.StopAsync());
        await server.DisposeAsync();

        await using var restarted = await ServerProcess.StartServerAsync(data, "--urls", url, "--lease-seconds", "2");
        await agent.WaitForLineAsync(l => l.Contains("registered as node-steady (epoch", StringComparison.Ordinal) && !l.Contains("(epoch 1)", StringComparison.Ordinal),
            TimeSpan.FromSeconds(60));
        using var after = restarted.Client(restarted.AdminToken);
        await WaitForEventAsync(after, workflowId, "task.adopted");
        await File.WriteAllTextAsync(barrier, "go");

        var done = await after.WaitForEndAsync(workflowId);
        Assert.Equal("Succeeded", done.Workflow.State);
        Assert.Equal(1, done.Tasks[0].Attempt);
        Assert.Equal("node-steady", done.Tasks[0].Node);
        Assert.DoesNotContain("stopping", agent.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AgentRestart_RejoinsWithoutItsTask_ServerRequeuesItAtOnce()
    {
        var barrier = Path.Combine(_dir.Path, "release");
        await using var server = await ServerProcess.StartServerAsync(Path.Combine(_dir.Path, "server"), "--lease-seconds", "30");
        var work = Path.Combine(_dir.Path, "node");
        using var client = server.Client(server.AdminToken);
        var first = await AgentProcess.StartAsync(server, "node-phoenix", work);
        var workflowId = (await client.SubmitAsync(Server.Workflows.Waiter("reconcile", barrier))).WorkflowId;
        await first.WaitForLineAsync(l => l.Contains("running", StringComparison.Ordinal) && l.Contains("attempt 1", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        await first.KillAsync();
        await first.DisposeAsync();

        // Long before the 30 s lease runs out, the restarted agent says what it runs (nothing) and the task comes back.
        await using var second = await AgentProcess.StartAsync(server, "node-phoenix", work);
        await second.WaitForLineAsync(l => l.Contains("running", StringComparison.Ordinal) && l.Contains("attempt 2", StringComparison.Ordinal), TimeSpan.FromSeconds(20));
        await File.WriteAllTextAsync(barrier, "go");

        var done = await client.WaitForEndAsync(workflowId);
        Assert.Equal("Succeeded", done.Workflow.State);
        Assert.Equal(2, done.Tasks[0].Attempt);
        var events = await client.GetEventsAsync(workflowId);
        Assert.Contains(events.Items, e => e.Kind == "task.state" && e.Data.TryGetProperty("reason", out var r) && r.GetString()!.Contains("rejoined without it", StringComparison.Ordinal));
    }

    public void Dispose() => _dir.Dispose();

    private static async Task WaitForEventAsync(FlowMeshClient client, string workflowId, string kind)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await foreach (var e in client.WatchAsync(workflowId, cancellationToken: timeout.Token))
        {
            if (e.Kind == kind)
            {
                return;
            }
        }

        Assert.Fail($"the workflow ended without a {kind} event");
    }
}
