using System.Diagnostics;
using System.Net;
using System.Text.Json;
using FlowMesh.Tests.Support;

namespace FlowMesh.Tests.Server;

/// <summary>Servers of their own: rate limits, SIGTERM, restart after a crash, and the remote CLI against a live server.</summary>
[Trait("Category", "Integration")]
public sealed class ServerLifecycleTests
{

    [Fact]
    public async Task RateLimit_TenantOverItsBudget_429WithRetryAfter()
    {
        using var dir = new TempDir();
        await using var server = await ServerProcess.StartAsync(dir.Path, "--rate-limit", "1");
        using var http = server.Http(server.AdminToken);
        var statuses = new List<HttpResponseMessage>();
        for (var i = 0; i < 10; i++)
        {
            statuses.Add(await http.GetAsync("api/v1/workflows"));
        }

        var limited = statuses.First(r => r.StatusCode == HttpStatusCode.TooManyRequests);
        Assert.True(limited.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), limited.Headers.RetryAfter?.ToString());
        Assert.Contains("rate_limited", await limited.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, statuses[0].StatusCode);
        statuses.ForEach(r => r.Dispose());
    }

    [Fact]
    public async Task Sigterm_WhileIdle_ExitsZero_RestartKeepsTokenAndData()
    {
        using var dir = new TempDir();
        string token, id;
        await using (var server = await ServerProcess.StartAsync(dir.Path))
        {
            token = server.AdminToken;
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(dir.Path, "admin.token")));
            }

            Assert.Contains("admin token", server.Log);
            using var client = server.Client(token);
            id = (await client.SubmitAsync(Workflows.Echo("kept", "x"), "kept.yaml")).WorkflowId;
            await foreach (var _ in client.WatchAsync(id))
            {
            }

            Assert.Equal(0, await server.StopAsync());
        }

        await using var again = await ServerProcess.StartAsync(dir.Path);
        Assert.Equal(token, again.AdminToken);
        using var admin = again.Client(token);
        Assert.Equal("Succeeded", (await admin.GetAsync(id)).Workflow.State);
    }

    [Fact]
    public async Task Restart_AfterKill9MidWorkflow_TakesTheWorkflowOverAndFinishesIt()
    {
        using var dir = new TempDir();
        var barrier = Path.Combine(dir.Path, "barrier");
        string id;
        var server = await ServerProcess.StartAsync(Path.Combine(dir.Path, "data"));
        using (var client = server.Client(server.AdminToken))
        {
            id = (await client.SubmitAsync(Workflows.Chatty("crash", 2, barrier), "crash.yaml")).WorkflowId;
            while ((await client.GetAsync(id)).Tasks[0].State != "Running")
            {
                await Task.Delay(10);
            }
        }

        Process.Start("kill", ["-KILL", server.Pid()]).WaitForExit();
        await server.DisposeAsync();
        File.WriteAllText(barrier, "go");
        await using var again = await ServerProcess.StartAsync(Path.Combine(dir.Path, "data"));
        using var admin = again.Client(again.AdminToken);
        await foreach (var _ in admin.WatchAsync(id))
        {
        }

        var info = await admin.GetAsync(id);
        Assert.Equal("Succeeded", info.Workflow.State);
        Assert.Equal(2, info.Tasks[0].Attempt);
    }

    [Fact]
    public async Task RemoteCli_SubmitWatchListInfoDownload_AgainstALiveServer()
    {
        using var dir = new TempDir();
        await using var server = await ServerProcess.StartAsync(Path.Combine(dir.Path, "data"));
        var sample = Path.Combine(Corpus.RepoRoot, "samples", "hello-pipeline.yaml");

        var (code, stdout, stderr) = await server.CliAsync(dir.Path, "workflow", "submit", sample, "--watch");
        Assert.True(code == 0, stderr);
        var id = System.Text.RegularExpressions.Regex.Match(stdout, @"workflow (wf-\S+)").Groups[1].Value;
        Assert.Matches(@"shout\s+python\s+succeeded", stdout);

        (code, stdout, _) = await server.CliAsync(dir.Path, "workflow", "list", "--output", "json");
        Assert.Equal(0, code);
        Assert.Equal(id, JsonDocument.Parse(stdout).RootElement[0].GetProperty("id").GetString());

        (code, stdout, _) = await server.CliAsync(dir.Path, "result", "fetch", id, "shout");
        Assert.Equal(0, code);
        Assert.Contains("HELLO FROM FLOWMESH", stdout);

        var bundle = Path.Combine(dir.Path, "b.tar.gz");
        (code, _, _) = await server.CliAsync(dir.Path, "result", "download", id, "report", "--to", bundle);
        Assert.Equal(0, code);
        Assert.True(new FileInfo(bundle).Length > 0);

        (code, stdout, _) = await server.CliAsync(dir.Path, "node", "list", "-o", "json");
        Assert.Equal(0, code);
        Assert.Equal("Up", JsonDocument.Parse(stdout).RootElement[0].GetProperty("state").GetString());

        (code, _, stderr) = await server.CliAsync(dir.Path, "workflow", "info", "wf-nope");
        Assert.Equal(1, code);
        Assert.Contains("workflow_not_found", stderr);

        (code, _, stderr) = await server.CliAsync(dir.Path, "--token", "fmk_bad", "workflow", "list");
        Assert.Equal(1, code);
        Assert.Contains("invalid_token", stderr);
    }
}
