using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using FlowMesh.Client;
using FlowMesh.Tests.Support;
using FlowMesh.Workflows;

namespace FlowMesh.Tests.Server;

/// <summary>The real server over loopback: submissions through the SDK and raw HTTP, SSE streams and their resume, results.</summary>
[Trait("Category", "Integration")]
public sealed class ServerApiTests(ServerFixture fixture, ITestOutputHelper output) : IClassFixture<ServerFixture>
{
    private FlowMeshClient Admin => fixture.Admin;

    [Fact]
    public async Task Submit_CorpusEchoTemplates_EachSucceedsWatchedOverSse()
    {
        if (!Corpus.Available(output))
        {
            return;
        }

        var echoOnly = Corpus.AllFiles().Where(f => f.EndsWith(".yaml", StringComparison.Ordinal))
            .Where(f => WorkflowParser.ParseFile(f) is { Success: true } p && p.Workflow!.Tasks.All(t => t.TaskType == "echo")).ToList();
        Assert.True(echoOnly.Count >= 3, $"expected the corpus echo templates, found {echoOnly.Count}");
        foreach (var file in echoOnly)
        {
            var submitted = await Admin.SubmitFileAsync(file);
            var kinds = new List<string>();
            await foreach (var e in Admin.WatchAsync(submitted.WorkflowId))
            {
                kinds.Add(e.Kind);
            }

            var info = await Admin.GetAsync(submitted.WorkflowId);
            Assert.True(info.Workflow.State == "Succeeded", $"{Path.GetFileName(file)}: {info.Workflow.State} {info.Workflow.Error}");
            Assert.Equal("workflow.submitted", kinds[0]);
            Assert.Contains("workflow.state", kinds);
            Assert.All(info.Tasks, t => Assert.Contains(t.State, new[] { "Succeeded", "Skipped" }));
        }
    }

    [Fact]
    public async Task Submit_N8nExamples_AcceptedAndFinishWithTheReasonNamed()
    {
        if (!Corpus.Available(output))
        {
            return;
        }

        var files = Directory.EnumerateFiles(Path.Combine(Corpus.Templates, "n8n"), "*.json").Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var submitted = await Admin.SubmitFileAsync(file);
            Assert.NotEmpty(submitted.Tasks);
            await foreach (var _ in Admin.WatchAsync(submitted.WorkflowId))
            {
            }

            var info = await Admin.GetAsync(submitted.WorkflowId);
            Assert.Equal("N8n", info.Workflow.Format);

            // Model tasks find no executor here and api tasks no endpoint: the tasks end, and the root failure says why
            // (no node can run it, or what the executor was missing) instead of hanging.
            Assert.True(info.Workflow.State is "Succeeded" or "Failed", info.Workflow.State);
            if (info.Workflow.State == "Failed")
            {
                Assert.Contains(info.Tasks, t => t.State == "Failed" && t.Error is { Length: > 0 } e && !e.StartsWith("upstream failed", StringComparison.Ordinal)
                    && (e.Contains("no node can run this task", StringComparison.Ordinal) || e.Contains("is required", StringComparison.Ordinal)));
            }
        }
    }

    [Fact]
    public async Task EventStream_DroppedMidStreamAndResumed_SameEventsExactlyOnceInOrder()
    {
        var barrier = Path.Combine(fixture.Barriers, "resume");
        var submitted = await Admin.SubmitAsync(Workflows.Chatty("resume-test", 300, barrier), "chatty.yaml");
        var path = $"api/v1/workflows/{submitted.WorkflowId}/events/stream";
        using var http = fixture.Server.Http(fixture.Server.AdminToken);

        // First connection: take a few events while the task still runs, then drop it.
        var (first, _) = await SseCapture.ReadAsync(http, path, null, max: 5);
        Assert.Equal(5, first.Count);
        File.WriteAllText(barrier, "go");

        // Resume from the last id seen; then an uninterrupted read of the whole stream to compare with.
        var (rest, _) = await SseCapture.ReadAsync(http, path, first[^1].Id);
        var (whole, _) = await SseCapture.ReadAsync(http, path, null);

        var resumed = first.Concat(rest).Where(f => f.Id is not null).ToList();
        var uninterrupted = whole.Where(f => f.Id is not null).ToList();
        Assert.Equal(uninterrupted, resumed);
        Assert.Equal(Enumerable.Range(1, uninterrupted.Count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), uninterrupted.Select(f => f.Id));
        Assert.Equal("eos", rest[^1].Event);
        Assert.Equal("eos", whole[^1].Event);
        var lines = uninterrupted.Where(f => f.Event == "task.log").Sum(f => JsonDocument.Parse(f.Data).RootElement.GetProperty("lines").GetArrayLength());
        Assert.True(lines >= 300, $"expected at least 300 log lines across events, got {lines}");

        // The SDK's watch sees the same sequence.
        var viaSdk = new List<long>();
        await foreach (var e in Admin.WatchAsync(submitted.WorkflowId))
        {
            viaSdk.Add(e.Seq);
        }

        Assert.Equal(uninterrupted.Select(f => long.Parse(f.Id!, System.Globalization.CultureInfo.InvariantCulture)), viaSdk);
    }

    [Fact]
    public async Task EventStream_Idle_SendsKeepAliveCommentsThenEos()
    {
        var barrier = Path.Combine(fixture.Barriers, "idle");
        var submitted = await Admin.SubmitAsync(Workflows.Chatty("idle-test", 1, barrier), "idle.yaml");
        using var http = fixture.Server.Http(fixture.Server.AdminToken);
        var keepAlive = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reading = SseCapture.ReadAsync(http, $"api/v1/workflows/{submitted.WorkflowId}/logs/stream", null,
            onComment: c => _ = c == ": keep-alive" && keepAlive.TrySetResult());

        // The task holds on the barrier, so the stream goes idle; release it only once a keep-alive came through.
        await keepAlive.Task.WaitAsync(TimeSpan.FromSeconds(30));
        File.WriteAllText(barrier, "go");
        var (frames, comments) = await reading;
        Assert.Contains(": keep-alive", comments);
        Assert.Equal("eos", frames[^1].Event);
        Assert.Contains(frames, f => f.Event == "log" && f.Data.Contains("line 0", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Submit_MalformedYaml_400WithTheSameMessagesAsValidate()
    {
        const string text = "apiVersion: flowmesh/v1\nkind: Workflow\nmetadata: {name: broken}\nspec:\n  taskType: echo\n  data: {type: list, items: [a]}\n  dependsOn: [ghost]\n";
        var expected = WorkflowParser.Parse(text, "broken.yaml").Diagnostics.Select(d => d.ToString()).ToList();
        Assert.NotEmpty(expected);
        var ex = await Assert.ThrowsAsync<FlowMeshValidationException>(() => Admin.SubmitAsync(text, "broken.yaml"));
        Assert.Equal(400, ex.Status);
        Assert.Equal("invalid_workflow", ex.Code);
        Assert.Equal(expected, ex.Errors.Select(e => e.Text));
        Assert.Equal("spec.dependsOn", ex.Field);

        using var http = fixture.Server.Http(fixture.Server.AdminToken);
        using var raw = await http.PostAsync("api/v1/workflows", new StringContent("spec: [unclosed\n  bad: : :", Encoding.UTF8, "application/yaml"));
        Assert.Equal(HttpStatusCode.BadRequest, raw.StatusCode);
        Assert.Equal("application/problem+json", raw.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await raw.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("invalid_workflow", problem.GetProperty("code").GetString());
        Assert.StartsWith("request.yaml:", problem.GetProperty("errors")[0].GetProperty("text").GetString());

        var validated = await Admin.ValidateAsync(text, "broken.yaml");
        Assert.False(validated.Ok);
        Assert.Equal(expected, validated.Errors.Select(e => e.Text));
    }

    [Fact]
    public async Task Submit_OversizeOrEmptyOrWrongType_413_400_415()
    {
        using var http = fixture.Server.Http(fixture.Server.AdminToken);
        var big = Workflows.Echo("big", "a") + "\n# " + new string('x', 100_000) + "\n";
        using var tooBig = await http.PostAsync("api/v1/workflows", new StringContent(big, Encoding.UTF8, "application/yaml"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooBig.StatusCode);
        Assert.Contains("payload_too_large", await tooBig.Content.ReadAsStringAsync());

        using var empty = await http.PostAsync("api/v1/workflows", new StringContent("  ", Encoding.UTF8, "application/yaml"));
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Contains("empty_body", await empty.Content.ReadAsStringAsync());

        using var xml = await http.PostAsync("api/v1/workflows", new StringContent("<workflow/>", Encoding.UTF8, "application/xml"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, xml.StatusCode);
    }

    [Fact]
    public async Task Bundle_FinishedTask_HoldsResultsAndLogs_FilesRouteRefusesTraversal()
    {
        var submitted = await Admin.SubmitAsync(Workflows.Chatty("bundle-test", 3), "bundle.yaml");
        await foreach (var _ in Admin.WatchAsync(submitted.WorkflowId))
        {
        }

        var result = await Admin.GetResultAsync(submitted.WorkflowId, "talk");
        Assert.Contains("\"lines\"", result.GetRawText());
        using var bundle = new MemoryStream();
        await Admin.DownloadBundleAsync(submitted.WorkflowId, "talk", bundle);
        bundle.Position = 0;
        var names = new List<string>();
        using (var gzip = new GZipStream(bundle, CompressionMode.Decompress))
        using (var tar = new TarReader(gzip))
        {
            while (await tar.GetNextEntryAsync() is { } entry)
            {
                names.Add(entry.Name);
            }
        }

        Assert.Contains("results.json", names);
        Assert.Contains("logs.txt", names);

        using var logsFile = new MemoryStream();
        await Admin.DownloadFileAsync(submitted.WorkflowId, "talk", "logs.txt", logsFile);
        Assert.Contains("line 2", Encoding.UTF8.GetString(logsFile.ToArray()));
        using var http = fixture.Server.Http(fixture.Server.AdminToken);
        using var escape = await http.GetAsync($"api/v1/workflows/{submitted.WorkflowId}/tasks/talk/results/files/..%2F..%2F..%2Fflowmesh.db");
        Assert.True(escape.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, escape.StatusCode.ToString());
        Assert.DoesNotContain("SQLite", await escape.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Retry_FailedWorkflow_RunsOnlyTheFailedTasksAgain()
    {
        var flag = Path.Combine(fixture.Barriers, "retry-flag");
        var yaml = $$$"""
            metadata: {name: flaky}
            spec:
              stages:
                - name: steady
                  spec: {taskType: echo, data: {type: list, items: [s]}}
                - name: flaky
                  spec:
                    taskType: python
                    code: |
                      import os
                      def main(inputs):
                          if not os.path.exists("{{{flag}}}"):
                              open("{{{flag}}}", "w").write("1")
                              raise RuntimeError("first attempt fails")
                          return "second attempt works"
                - name: last
                  spec: {taskType: echo, data: {type: list, items: [l]}}
            """;
        var submitted = await Admin.SubmitAsync(yaml, "flaky.yaml");
        await foreach (var _ in Admin.WatchAsync(submitted.WorkflowId))
        {
        }

        var failed = await Admin.GetAsync(submitted.WorkflowId);
        Assert.Equal("Failed", failed.Workflow.State);
        Assert.Contains("first attempt fails", failed.Tasks.Single(t => t.Name == "flaky").Error);

        var retry = await Admin.RetryAsync(submitted.WorkflowId);
        Assert.Equal(2, retry.Reopened);
        await foreach (var _ in Admin.WatchAsync(submitted.WorkflowId))
        {
        }

        var done = await Admin.GetAsync(submitted.WorkflowId);
        Assert.Equal("Succeeded", done.Workflow.State);
        Assert.Equal(1, done.Tasks.Single(t => t.Name == "steady").Attempt);
        Assert.Equal(2, done.Tasks.Single(t => t.Name == "flaky").Attempt);
        var again = await Assert.ThrowsAsync<FlowMeshException>(() => Admin.RetryAsync(submitted.WorkflowId));
        Assert.Equal(409, again.Status);
    }

    [Fact]
    public async Task Cancel_RunningWorkflow_EndsCancelled_SecondCancelIs409()
    {
        var barrier = Path.Combine(fixture.Barriers, "never");
        var submitted = await Admin.SubmitAsync(Workflows.Chatty("cancel-test", 1, barrier), "cancel.yaml");
        var info = await Admin.CancelAsync(submitted.WorkflowId);
        Assert.Equal("Cancelled", info.Workflow.State);
        Assert.All(info.Tasks, t => Assert.Equal("Cancelled", t.State));
        var again = await Assert.ThrowsAsync<FlowMeshException>(() => Admin.CancelAsync(submitted.WorkflowId));
        Assert.Equal("workflow_finished", again.Code);
    }

    [Fact]
    public async Task ListAsync_SmallPages_FollowsCursorsThroughEveryWorkflow()
    {
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await Admin.SubmitAsync(Workflows.Echo($"paged-{i}", "x"), $"paged-{i}.yaml")).WorkflowId);
        }

        var seen = new List<string>();
        await foreach (var w in Admin.ListAsync(new WorkflowFilter { Name = "paged-", PageSize = 2 }))
        {
            seen.Add(w.Id);
        }

        Assert.Equal(ids.Order(StringComparer.Ordinal), seen.Order(StringComparer.Ordinal));
        Assert.Equal(seen.Count, seen.Distinct().Count());
        var bad = await Assert.ThrowsAsync<FlowMeshValidationException>(() => Admin.ListPageAsync(null, "not-a-cursor!"));
        Assert.Equal("cursor", bad.Field);
    }
}
