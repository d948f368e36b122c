using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FlowMesh.Client;
using FlowMesh.Client.Models;
using FlowMesh.Tests.Support;

namespace FlowMesh.Tests.Agents;

/// <summary>
/// Real <c>flowmesh server</c> and <c>flowmesh node</c> processes over loopback HTTP: placement by declared GPUs, the
/// GPUs handed to a task, kill -9 of an agent in the middle of a task, fencing of its late report, and draining.
/// </summary>
[Trait("Category", "Integration")]
public sealed class NodeAgentTests : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private ServerProcess _server = null!;
    private FlowMeshClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await ServerProcess.StartServerAsync(Path.Combine(_dir.Path, "server"), "--lease-seconds", "2");
        _client = _server.Client(_server.AdminToken);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task Schedule_TwoAgentsWithDifferentGpus_TasksLandOnlyWhereTheyFitAndGetTheirGpus()
    {
        await using var a100 = await StartAgentAsync("node-a100", "--gpu", "0:nvidia-a100-80gb:80Gi");
        await using var h100 = await StartAgentAsync("node-h100", "--gpu", "0:nvidia-h100-80gb:80Gi", "--gpu", "1:nvidia-h100-80gb:80Gi");

        var submitted = await _client.SubmitAsync(GpuWorkflow("placement", ("on_a100", "nvidia-a100", 1), ("on_h100", "nvidia-h100", 2), ("anywhere", null, 0)));
        var done = await _client.WaitForEndAsync(submitted.WorkflowId);

        Assert.Equal("Succeeded", done.Workflow.State);
        var tasks = done.Tasks.ToDictionary(t => t.Name);
        Assert.Equal("node-a100", tasks["on_a100"].Node);
        Assert.Equal("node-h100", tasks["on_h100"].Node);
        Assert.Equal("0", (await ResultAsync(submitted.WorkflowId, "on_a100")).GetProperty("value").GetString());
        Assert.Equal("0,1", (await ResultAsync(submitted.WorkflowId, "on_h100")).GetProperty("value").GetString());
        Assert.Equal(string.Empty, (await ResultAsync(submitted.WorkflowId, "anywhere")).GetProperty("value").GetString());

        // Three H100s fit on no node: the task waits, saying why, rather than landing anywhere.
        var tooBig = await _client.SubmitAsync(GpuWorkflow("too-big", ("three_h100", "nvidia-h100", 3)));
        var waiting = await _client.WaitForAsync(tooBig.WorkflowId, w => w.Tasks[0].WaitingOn is { Length: > 0 });
        Assert.Equal("Ready", waiting.Tasks[0].State);
        Assert.Contains("waiting for a node that can run this task", waiting.Tasks[0].WaitingOn, StringComparison.Ordinal);
        Assert.Null(waiting.Tasks[0].Node);
        await _client.CancelAsync(tooBig.WorkflowId);
    }

    [Fact]
    public async Task Lease_AgentKilledMidTask_TaskRunsAgainElsewhereAndLateReportIsRefused()
    {
        var barrier = Path.Combine(_dir.Path, "release");
        await using var first = await StartAgentAsync("node-first");
        var submitted = await _client.SubmitAsync(Server.Workflows.Waiter("lease", barrier));
        await first.WaitForLineAsync(l => l.Contains("running", StringComparison.Ordinal) && l.Contains("attempt 1", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        await using var second = await StartAgentAsync("node-second");

        await first.KillAsync();
        await second.WaitForLineAsync(l => l.Contains("running", StringComparison.Ordinal) && l.Contains("attempt 2", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        await File.WriteAllTextAsync(barrier, "go");
        var done = await _client.WaitForEndAsync(submitted.WorkflowId);

        Assert.Equal("Succeeded", done.Workflow.State);
        Assert.Equal("node-second", done.Tasks[0].Node);
        Assert.Equal(2, done.Tasks[0].Attempt);
        var events = await _client.GetEventsAsync(submitted.WorkflowId);
        Assert.Contains(events.Items, e => e.Kind == "task.state" && e.Data.TryGetProperty("reason", out var r) && r.GetString()!.Contains("lease of node node-first ran out", StringComparison.Ordinal));

        // The killed agent's epoch speaks late: its report for attempt 1 is refused and changes nothing.
        using var http = _server.Http(_server.AdminToken);
        var late = await http.PostAsJsonAsync($"/api/v1/agent/nodes/node-first/tasks/{submitted.WorkflowId}/0/report",
            new { attempt = 1, finished = true, succeeded = false, error = "late", lines = Array.Empty<object>() });
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        Assert.Equal("stale_lease", (await late.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        var after = await _client.GetAsync(submitted.WorkflowId);
        Assert.Equal("Succeeded", after.Tasks[0].State);
        Assert.Null(after.Tasks[0].Error);
    }

    [Fact]
    public async Task Drain_SigtermWhileTaskRuns_TaskFinishesThenNodeLeaves()
    {
        var barrier = Path.Combine(_dir.Path, "drain-release");
        var agent = await StartAgentAsync("node-drain", "--drain-seconds", "60");
        await using (agent)
        {
            var submitted = await _client.SubmitAsync(Server.Workflows.Waiter("drain", barrier));
            await agent.WaitForLineAsync(l => l.Contains("running", StringComparison.Ordinal), TimeSpan.FromSeconds(60));

            var stopping = agent.StopAsync();
            await agent.WaitForLineAsync(l => l.Contains("draining: 1 task(s) running", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
            await File.WriteAllTextAsync(barrier, "go");

            Assert.Equal(0, await stopping);
            var done = await _client.WaitForEndAsync(submitted.WorkflowId);
            Assert.Equal("Succeeded", done.Workflow.State);
            Assert.Equal(1, done.Tasks[0].Attempt);
            Assert.Contains("left the server", agent.Log, StringComparison.Ordinal);
            var node = await _client.GetNodeAsync("node-drain");
            Assert.Equal("Left", node.State);
        }
    }

    [Fact]
    public async Task Logs_TaskOnAnAgentStillRunning_LinesReachTheServersStreamLive()
    {
        var barrier = Path.Combine(_dir.Path, "live-release");
        await using var agent = await StartAgentAsync("node-live");
        var submitted = await _client.SubmitAsync(Server.Workflows.Waiter("live", barrier));

        // The task prints one line and then waits for the barrier: the line can only be seen while it runs.
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            await foreach (var entry in _client.StreamLogsAsync(submitted.WorkflowId, cancellationToken: timeout.Token))
            {
                if (entry.Text == "waiting for the barrier")
                {
                    break;
                }
            }
        }

        Assert.Equal("Running", (await _client.GetAsync(submitted.WorkflowId)).Tasks[0].State);
        await File.WriteAllTextAsync(barrier, "go");
        Assert.Equal("Succeeded", (await _client.WaitForEndAsync(submitted.WorkflowId)).Workflow.State);
    }

    [Fact]
    public async Task Tokens_NodeKey_RunsAnAgentButCannotReadOrSubmitWork()
    {
        var key = await _client.CreateTokenAsync(new CreateTokenRequest("gpu-01", "node"));
        await using var agent = await AgentProcess.StartWithTokenAsync(_server, key.Token, "node-keyed", Path.Combine(_dir.Path, "node-keyed"));
        var submitted = await _client.SubmitAsync(Server.Workflows.Waiter("keyed", Path.Combine(_dir.Path, "keyed-release")));
        await agent.WaitForLineAsync(l => l.Contains("running", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        await File.WriteAllTextAsync(Path.Combine(_dir.Path, "keyed-release"), "go");
        Assert.Equal("Succeeded", (await _client.WaitForEndAsync(submitted.WorkflowId)).Workflow.State);

        using var asNode = _server.Client(key.Token);
        var read = await Assert.ThrowsAsync<FlowMeshAuthenticationException>(() => asNode.GetAsync(submitted.WorkflowId));
        Assert.True(read.IsForbidden);
        var submit = await Assert.ThrowsAsync<FlowMeshAuthenticationException>(() => asNode.SubmitAsync(Server.Workflows.Waiter("nope", "/nonexistent")));
        Assert.True(submit.IsForbidden);
        var tenant = await _client.CreateTenantAsync(new CreateTenantRequest("team-gpu"));
        using var tenantAdmin = _server.Client(tenant.AdminToken.Token);
        var foreign = await Assert.ThrowsAsync<FlowMeshValidationException>(() => tenantAdmin.CreateTokenAsync(new CreateTokenRequest("sneaky", "node")));
        Assert.Equal("invalid_role", foreign.Code);
    }

    private Task<AgentProcess> StartAgentAsync(string name, params string[] args) =>
        AgentProcess.StartAsync(_server, name, Path.Combine(_dir.Path, name), args);

    private async Task<JsonElement> ResultAsync(string workflowId, string task) =>
        (await _client.GetResultAsync(workflowId, task)).GetProperty("result");

    /// <summary>Python tasks that return the CUDA_VISIBLE_DEVICES they were given.</summary>
    private static string GpuWorkflow(string name, params (string Task, string? Gpu, int Count)[] tasks) => $$"""
        apiVersion: flowmesh/v1
        kind: Workflow
        metadata: {name: {{name}}}
        spec:
          stages:
        {{string.Join("\n", tasks.Select(t => $$"""
            - name: {{t.Task}}
              spec:
                taskType: python
                code: |
                  import os
                  def main(inputs):
                      return os.environ.get("CUDA_VISIBLE_DEVICES", "")
                resources:
                  hardware:
                    cpu: 1
        {{(t.Gpu is null ? string.Empty : $"            gpu: {{type: {t.Gpu}, count: {t.Count}}}")}}
        """))}}
        """;
}
