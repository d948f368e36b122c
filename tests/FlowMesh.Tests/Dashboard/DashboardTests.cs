using System.Net;
using FlowMesh.Client.Models;
using FlowMesh.Tests.Support;

namespace FlowMesh.Tests.Dashboard;

/// <summary>
/// The dashboard in a real Chromium against a real server: a workflow's graph turning green live, task logs streaming,
/// cancelling from the page, deep links and filters, and what a viewer's key may not do. Screenshots are kept.
/// </summary>
[Trait("Category", "Integration")]
[Collection(Browser.Collection)]
public sealed class DashboardTests(DashboardFixture fixture, ITestOutputHelper output) : IClassFixture<DashboardFixture>
{
    /// <summary>prep (python, waits for the barrier, logs lines) → two echo tasks → report: four tasks in three columns.</summary>
    private static string Gated(string name, string barrier) => $$$"""
        apiVersion: flowmesh/v1
        kind: Workflow
        metadata: {name: {{{name}}}}
        spec:
          graph:
            nodes:
              - name: prep
                spec:
                  taskType: python
                  code: |
                    import os, time
                    def main(inputs):
                        i = 0
                        while not os.path.exists("{{{barrier}}}"):
                            print(f"prep line {i}", flush=True)
                            i += 1
                            time.sleep(0.05)
                        return {"lines": i}
              - name: left
                dependsOn: [prep]
                spec: {taskType: echo, data: {type: list, items: [l]}}
              - name: right
                dependsOn: [prep]
                spec: {taskType: echo, data: {type: list, items: [r]}}
              - name: report
                dependsOn: [left, right]
                spec: {taskType: echo, data: {type: list, items: [done]}}
        """;

    [Fact]
    public async Task WorkflowPage_RunningWorkflow_GraphTurnsGreenLiveWithoutReload()
    {
        if (!Browser.Available(output))
        {
            return;
        }

        var barrier = Path.Combine(fixture.Barriers, "green");
        var submitted = await fixture.Admin.SubmitAsync(Gated("green-live", barrier));
        var page = await fixture.SignInAsync(fixture.Server.AdminToken, $"#/workflows/{submitted.WorkflowId}");
        await page.WaitForSelectorAsync("g.task[data-task='prep'][data-state='Running']");
        Assert.Equal(4, await page.Locator("svg.dag g.task").CountAsync());
        Assert.Equal(0, await page.Locator("g.task[data-state='Succeeded']").CountAsync());
        await page.EvaluateAsync("() => { window.__sameDocument = true; }");
        await Browser.ScreenshotAsync(page, "workflow-running", output);

        await File.WriteAllTextAsync(barrier, "go");
        await page.WaitForFunctionAsync("() => document.querySelectorAll(\"g.task[data-state='Succeeded']\").length === 4");
        await page.WaitForSelectorAsync(".wf-header .badge.state-Succeeded");
        Assert.True(await page.EvaluateAsync<bool>("() => window.__sameDocument === true"), "the page reloaded: the graph was not updated live");
        await Browser.ScreenshotAsync(page, "workflow-succeeded", output);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task TaskPanel_ClickRunningTask_ShowsSpecAndLogsStreamingLive()
    {
        if (!Browser.Available(output))
        {
            return;
        }

        var barrier = Path.Combine(fixture.Barriers, "logs");
        var submitted = await fixture.Admin.SubmitAsync(Gated("logs-live", barrier));
        var page = await fixture.SignInAsync(fixture.Server.AdminToken, $"#/workflows/{submitted.WorkflowId}");
        await page.ClickAsync("g.task[data-task='prep']");
        Assert.EndsWith($"#/workflows/{submitted.WorkflowId}/tasks/prep", page.Url, StringComparison.Ordinal);
        await page.WaitForSelectorAsync("#task-panel h2:has-text('prep')");

        // Lines the task prints while it runs reach the open panel: first a few, then later ones, with no reload.
        await page.WaitForFunctionAsync("() => document.querySelector('#task-logs').textContent.includes('prep line 2')");
        await page.WaitForFunctionAsync("() => document.querySelector('#task-logs').textContent.includes('prep line 12')");
        Assert.Contains("\"taskType\": \"python\"", await page.TextContentAsync("#task-panel pre.spec"), StringComparison.Ordinal);
        await Browser.ScreenshotAsync(page, "task-logs", output);

        await File.WriteAllTextAsync(barrier, "go");
        await page.WaitForSelectorAsync("#task-panel .badge.state-Succeeded");
        await page.WaitForFunctionAsync("() => document.querySelector('#task-panel .result pre')?.textContent.includes('lines')");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task CancelButton_RunningWorkflow_StopsItsTaskAndCascades()
    {
        if (!Browser.Available(output))
        {
            return;
        }

        var submitted = await fixture.Admin.SubmitAsync(Gated("cancel-me", Path.Combine(fixture.Barriers, "never")));
        var page = await fixture.SignInAsync(fixture.Server.AdminToken, $"#/workflows/{submitted.WorkflowId}");
        await page.WaitForSelectorAsync("g.task[data-task='prep'][data-state='Running']");
        page.Dialog += (_, dialog) => dialog.AcceptAsync();
        await page.ClickAsync("#cancel-workflow");

        await page.WaitForSelectorAsync(".wf-header .badge.state-Cancelled");
        await page.WaitForFunctionAsync("() => document.querySelectorAll(\"g.task[data-state='Cancelled']\").length === 4");
        var info = await fixture.Admin.GetAsync(submitted.WorkflowId);
        Assert.Equal("Cancelled", info.Workflow.State);
        Assert.All(info.Tasks, t => Assert.Equal("Cancelled", t.State));
        Assert.Equal(0, await page.Locator("#cancel-workflow").CountAsync());
        await Browser.ScreenshotAsync(page, "workflow-cancelled", output);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task PauseAndResumeButtons_RunningWorkflow_PauseItThenResumeIt()
    {
        if (!Browser.Available(output))
        {
            return;
        }

        var submitted = await fixture.Admin.SubmitAsync(Gated("pause-me", Path.Combine(fixture.Barriers, "never-pause")));
        var page = await fixture.SignInAsync(fixture.Server.AdminToken, $"#/workflows/{submitted.WorkflowId}");
        await page.WaitForSelectorAsync("g.task[data-task='prep'][data-state='Running']");
        await page.ClickAsync("#pause-workflow");
        await page.WaitForSelectorAsync(".wf-header .badge.state-Paused");
        Assert.Equal("Paused", (await fixture.Admin.GetAsync(submitted.WorkflowId)).Workflow.State);
        Assert.Equal(0, await page.Locator("#pause-workflow").CountAsync());
        await Browser.ScreenshotAsync(page, "workflow-paused", output);

        await page.ClickAsync("#resume-workflow");
        await page.WaitForSelectorAsync(".wf-header .badge.state-Running");
        Assert.Equal("Running", (await fixture.Admin.GetAsync(submitted.WorkflowId)).Workflow.State);
        await fixture.Admin.CancelAsync(submitted.WorkflowId);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task ViewerKey_RunningWorkflow_SeesItButHasNoActionsAndTheApiRefuses()
    {
        if (!Browser.Available(output))
        {
            return;
        }

        var viewer = await fixture.Admin.CreateTokenAsync(new CreateTokenRequest("dashboard-viewer", "viewer"));
        var barrier = Path.Combine(fixture.Barriers, "viewer");
        var submitted = await fixture.Admin.SubmitAsync(Gated("viewer-sees", barrier));
        var page = await fixture.SignInAsync(viewer.Token, $"#/workflows/{submitted.WorkflowId}");
        await page.WaitForSelectorAsync("g.task[data-task='prep'][data-state='Running']");
        Assert.Contains("viewer", await page.TextContentAsync("#caller"), StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("#cancel-workflow").CountAsync());
        Assert.True(await page.IsVisibleAsync("#read-only"));
        await page.ClickAsync("g.task[data-task='prep']");
        await page.WaitForSelectorAsync("#task-panel h2:has-text('prep')");
        Assert.Equal(0, await page.Locator("#stop-task, #approve-task").CountAsync());
        await Browser.ScreenshotAsync(page, "viewer-read-only", output);

        // The page hides what the role may not do; the API is what enforces it, for the same key from the same page.
        var status = await page.EvaluateAsync<int>(
            "async ([id, token]) => (await fetch(`/api/v1/workflows/${id}/cancel`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } })).status",
            new[] { submitted.WorkflowId, viewer.Token });
        Assert.Equal((int)HttpStatusCode.Forbidden, status);
        Assert.Equal("Running", (await fixture.Admin.GetAsync(submitted.WorkflowId)).Workflow.State);
        await File.WriteAllTextAsync(barrier, "go");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task ApproveButton_OpenGate_DecidesItAndTheRestRunsLive()
    {
        if (!Browser.Available(output))
        {
            return;
        }

        var submitted = await fixture.Admin.SubmitAsync(Approvals.ApprovalTests.Gated("approve-in-page"));
        var page = await fixture.SignInAsync(fixture.Server.AdminToken, $"#/workflows/{submitted.WorkflowId}/tasks/sign-off");
        await page.WaitForSelectorAsync("g.task[data-task='sign-off'][data-state='Ready']");
        await page.WaitForSelectorAsync("#task-waiting:has-text('awaiting approval: ship it?')");
        await Browser.ScreenshotAsync(page, "approval-open", output);
        await page.ClickAsync("#approve-task");

        await page.WaitForFunctionAsync("() => document.querySelectorAll(\"g.task[data-state='Succeeded']\").length === 3");

        // The panel opened by the deep link lists the gate's history as it happened: opened, approved, succeeded.
        await page.WaitForFunctionAsync("() => document.querySelectorAll('#task-panel .attempts li').length === 3");
        Assert.Contains("approved by dashboard", await page.TextContentAsync("#task-panel .attempts"), StringComparison.Ordinal);
        var decision = await fixture.Admin.GetResultAsync(submitted.WorkflowId, "sign-off");
        Assert.True(decision.GetProperty("approved").GetBoolean());
        Assert.StartsWith("dashboard", decision.GetProperty("by").GetString(), StringComparison.Ordinal);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Login_WrongKey_SaysSoAndShowsNothing()
    {
        if (!Browser.Available(output))
        {
            return;
        }

        var context = await fixture.Browser!.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(fixture.Server.BaseAddress, "/dashboard/").ToString());
        await page.FillAsync("#login-token", "fmk_000000000000_wrong");
        await page.ClickAsync("#login-submit");
        await page.WaitForFunctionAsync("() => document.querySelector('#login-error').textContent.includes('not valid')");
        Assert.True(await page.IsVisibleAsync("#login"));
        Assert.Equal(0, await page.Locator("#view table, #view .cards").CountAsync());
        await context.CloseAsync();
    }

    [Fact]
    public async Task OverviewAndLists_FinishedWorkflow_CountedFilteredAndDeepLinked()
    {
        if (!Browser.Available(output))
        {
            return;
        }

        var submitted = await fixture.Admin.SubmitAsync(Server.Workflows.Echo("listed-echo", "a", "b"));
        await foreach (var _ in fixture.Admin.WatchAsync(submitted.WorkflowId))
        {
        }

        var page = await fixture.SignInAsync(fixture.Server.AdminToken);
        await page.WaitForSelectorAsync("#count-Succeeded");
        Assert.True(int.Parse(await page.TextContentAsync("#count-Succeeded .n") ?? "0", System.Globalization.CultureInfo.InvariantCulture) >= 1);
        await page.WaitForSelectorAsync("table.nodes tr[data-node]");
        await Browser.ScreenshotAsync(page, "overview", output);

        await page.ClickAsync("nav a[data-nav='workflows']");
        await page.FillAsync("#filter-q", "listed-echo");
        await page.SelectOptionAsync("#filter-state", "Succeeded");
        await page.WaitForSelectorAsync($"tr[data-workflow='{submitted.WorkflowId}']");
        Assert.Contains("state=Succeeded", page.Url, StringComparison.Ordinal);
        Assert.Equal(1, await page.Locator("tbody tr[data-workflow]").CountAsync());
        await Browser.ScreenshotAsync(page, "workflows-filtered", output);

        // A deep link to a task, loaded as a new document (the key stays in the tab's session), opens that task's panel.
        var task = (await fixture.Admin.GetTasksAsync(submitted.WorkflowId))[0].Name;
        await page.GotoAsync("about:blank");
        await page.GotoAsync(new Uri(fixture.Server.BaseAddress, $"/dashboard/#/workflows/{submitted.WorkflowId}/tasks/{task}").ToString());
        await page.WaitForSelectorAsync($"#task-panel h2:has-text('{task}')");
        await page.WaitForSelectorAsync($"g.task.selected[data-task='{task}']");
        await page.Context.CloseAsync();
    }
}
