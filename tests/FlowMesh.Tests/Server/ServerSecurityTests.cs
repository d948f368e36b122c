using System.Net;
using System.Text;
using System.Text.Json;
using FlowMesh.Client;
using FlowMesh.Client.Models;

namespace FlowMesh.Tests.Server;

/// <summary>Tenancy and auth over the whole route table, quotas, and the extension points, against the real server.</summary>
[Trait("Category", "Integration")]
public sealed class ServerSecurityTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private FlowMeshClient Admin => fixture.Admin;

    [Fact]
    public async Task RouteTable_EveryRoute_NoToken401_OtherTenant404LikeMissing_ViewerWrite403()
    {
        // Tenant A (the bootstrap tenant) owns a finished workflow; tenant B and a viewer of A probe every route.
        var owned = await Admin.SubmitAsync(Workflows.Echo("owned", "a"), "owned.yaml");
        await foreach (var _ in Admin.WatchAsync(owned.WorkflowId))
        {
        }

        var other = await Admin.CreateTenantAsync(new CreateTenantRequest($"other-{Guid.NewGuid():N}"[..20]));
        var viewer = await Admin.CreateTokenAsync(new CreateTokenRequest("probe", "viewer"));
        var node = (await Admin.ListNodesAsync()).Single().Id;
        var token = (await Admin.CreateTokenAsync(new CreateTokenRequest("victim", "viewer"))).Info.Id;
        using var anonymous = fixture.Server.Http();
        using var forged = fixture.Server.Http("fmk_000000000000_forged");
        using var tenantB = fixture.Server.Http(other.AdminToken.Token);
        using var viewerA = fixture.Server.Http(viewer.Token);
        using var adminA = fixture.Server.Http(fixture.Server.AdminToken);

        var routes = JsonSerializer.Deserialize<string[]>(await adminA.GetStringAsync("api/v1/system/routes"))!;
        var openApi = JsonDocument.Parse(await anonymous.GetStringAsync("openapi/v1.json")).RootElement.GetProperty("paths");
        var documented = openApi.EnumerateObject().SelectMany(p => p.Value.EnumerateObject().Select(m => $"{m.Name.ToUpperInvariant()} {p.Name}")).Order(StringComparer.Ordinal);
        Assert.Equal(documented, routes.Select(r => r.Replace("{**", "{", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        Assert.True(routes.Length >= 25, $"only {routes.Length} routes");

        foreach (var route in routes)
        {
            var method = new HttpMethod(route[..route.IndexOf(' ', StringComparison.Ordinal)]);
            var pattern = route[(route.IndexOf(' ', StringComparison.Ordinal) + 1)..];
            string Fill(string workflowId) => pattern.TrimStart('/')
                .Replace("{workflowId}", workflowId, StringComparison.Ordinal).Replace("{task}", "greet", StringComparison.Ordinal)
                .Replace("{**path}", "results.json", StringComparison.Ordinal).Replace("{nodeId}", node, StringComparison.Ordinal)
                .Replace("{tokenId}", token, StringComparison.Ordinal).Replace("{index}", "0", StringComparison.Ordinal)
                .Replace("{stage}", "greet", StringComparison.Ordinal).Replace("{name}", "probe-secret", StringComparison.Ordinal);
            var url = Fill(owned.WorkflowId);
            Assert.DoesNotContain("{", url);
            var body = method == HttpMethod.Get || method == HttpMethod.Delete ? null : "{}";
            if (route == "POST /api/v1/signals")
            {
                // The one route without a key: the signal token in the body is its credential, and a bad one is 403.
                Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(anonymous, method, url, body)).Status);
                var refused = await SendAsync(forged, method, url, """{"token":"fms1.x.y","decision":"approve"}""");
                Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
                Assert.Equal("invalid_signal", Code(refused.Body));
                continue;
            }

            Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(anonymous, method, url, body)).Status);
            Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(forged, method, url, body)).Status);

            if (pattern.StartsWith("/api/v1/agent/", StringComparison.Ordinal))
            {
                // Node agent routes are for system admins only: another tenant's admin is refused before any lookup.
                var refused = await SendAsync(tenantB, method, url, body);
                Assert.True(refused.Status == HttpStatusCode.Forbidden, $"{route} as tenant B: {refused.Status} {refused.Body}");
                Assert.Equal(Code(refused.Body), Code((await SendAsync(tenantB, method, Fill("wf-does-not-exist"), body)).Body));
            }
            else if (pattern.Contains("{workflowId}", StringComparison.Ordinal))
            {
                // Another tenant's id must read exactly like an id that does not exist: no existence oracle.
                var foreign = await SendAsync(tenantB, method, url, body);
                var missing = await SendAsync(tenantB, method, Fill("wf-does-not-exist"), body);
                Assert.True(foreign.Status == HttpStatusCode.NotFound, $"{route} as tenant B: {foreign.Status} {foreign.Body}");
                Assert.Equal(missing.Status, foreign.Status);
                Assert.Equal(Code(missing.Body), Code(foreign.Body));
            }

            if (pattern.Contains("{tokenId}", StringComparison.Ordinal))
            {
                Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(tenantB, method, url, body)).Status);
            }

            if (method != HttpMethod.Get && !pattern.EndsWith("/validate", StringComparison.Ordinal))
            {
                var weak = await SendAsync(viewerA, method, url, body);
                Assert.True(weak.Status == HttpStatusCode.Forbidden, $"{route} as viewer: {weak.Status} {weak.Body}");
                Assert.Equal("application/problem+json", weak.ContentType);
            }
        }

        // The owner still sees its workflow, and tenant B's listing does not include it.
        Assert.Equal(owned.WorkflowId, (await Admin.GetAsync(owned.WorkflowId)).Workflow.Id);
        using var clientB = fixture.Server.Client(other.AdminToken.Token);
        await foreach (var w in clientB.ListAsync())
        {
            Assert.NotEqual(owned.WorkflowId, w.Id);
        }
    }

    [Fact]
    public async Task Tokens_RevokedKey_401_OperatorCanSubmitButNotMintKeys()
    {
        var op = await Admin.CreateTokenAsync(new CreateTokenRequest("ci", "operator"));
        using var operatorClient = fixture.Server.Client(op.Token);
        var submitted = await operatorClient.SubmitAsync(Workflows.Echo("by-operator", "x"), "op.yaml");
        Assert.Equal(op.Info.Id, (await operatorClient.GetAsync(submitted.WorkflowId)).Workflow.Submitter);
        var mint = await Assert.ThrowsAsync<FlowMeshAuthenticationException>(() => operatorClient.CreateTokenAsync(new CreateTokenRequest("x", "admin")));
        Assert.True(mint.IsForbidden);

        await Admin.RevokeTokenAsync(op.Info.Id);
        var revoked = await Assert.ThrowsAsync<FlowMeshAuthenticationException>(() => operatorClient.GetAsync(submitted.WorkflowId));
        Assert.Equal(401, revoked.Status);
        Assert.Equal("invalid_token", revoked.Code);

        // Only a hash is stored: the secret part of the token appears nowhere in the store's files.
        var secret = Encoding.ASCII.GetBytes(op.Token[("fmk_".Length + 13)..]);
        foreach (var file in Directory.EnumerateFiles(fixture.Server.DataDir, "flowmesh.db*"))
        {
            var bytes = await File.ReadAllBytesAsync(file);
            Assert.True(bytes.AsSpan().IndexOf(secret) < 0, $"{file} holds a token secret");
        }
    }

    [Fact]
    public async Task Quota_TenantAtItsRunningTaskLimit_SecondTaskWaitsWithTheReasonShown()
    {
        var tenant = await Admin.CreateTenantAsync(new CreateTenantRequest($"quota-{Guid.NewGuid():N}"[..16], MaxRunningTasks: 1));
        using var client = fixture.Server.Client(tenant.AdminToken.Token);
        var barrier = Path.Combine(fixture.Barriers, $"quota-{tenant.Tenant.Id}");
        var submitted = await client.SubmitAsync(Workflows.TwoWaiters("quota", barrier), "quota.yaml");

        WorkflowInfo info;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        do
        {
            info = await client.GetAsync(submitted.WorkflowId);
            Assert.True(DateTime.UtcNow < deadline, "the quota never held a task: " + string.Join(", ", info.Tasks.Select(t => $"{t.Name}={t.State} ({t.WaitingOn})")));
            await Task.Delay(10);
        }
        while (!(info.Tasks.Any(t => t.State == "Running") && info.Tasks.Any(t => t.WaitingOn?.Contains("tenant quota", StringComparison.Ordinal) == true)));

        Assert.Equal(1, info.Tasks.Count(t => t.State == "Running"));
        var waiting = info.Tasks.Single(t => t.State == "Ready");
        Assert.Equal("tenant quota: 1 of 1 running tasks in use", waiting.WaitingOn);

        File.WriteAllText(barrier, "go");
        await foreach (var _ in client.WatchAsync(submitted.WorkflowId))
        {
        }

        Assert.Equal("Succeeded", (await client.GetAsync(submitted.WorkflowId)).Workflow.State);
        var usage = await client.GetUsageAsync();
        Assert.Equal(2, usage.Count(u => u.WorkflowId == submitted.WorkflowId && u.State == "Succeeded"));
    }

    [Fact]
    public async Task Extensions_GuardRejectsByPolicy_UsageSinkGetsARowPerFinishedTask()
    {
        var rejected = await Assert.ThrowsAsync<FlowMeshAuthenticationException>(() => Admin.SubmitAsync(Workflows.Echo("forbidden-flow", "x"), "f.yaml"));
        Assert.Equal("submission_rejected", rejected.Code);
        Assert.Contains("may not start with 'forbidden'", rejected.Problem.Detail);

        var built = new WorkflowBuilder("sdk-built").Echo("first", ["one"]).Echo("second", ["two"], "first");
        var submitted = await Admin.SubmitAsync(built);
        await foreach (var _ in Admin.WatchAsync(submitted.WorkflowId))
        {
        }

        Assert.Equal("Succeeded", (await Admin.GetAsync(submitted.WorkflowId)).Workflow.State);
        Assert.Equal(["first"], (await Admin.GetTaskAsync(submitted.WorkflowId, "second")).DependsOn);

        // The sink runs after the commit; wait for its lines with a deadline, not a fixed sleep.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        string[] lines = [];
        while (DateTime.UtcNow < deadline && lines.Count(l => l.Contains(submitted.WorkflowId, StringComparison.Ordinal)) < 2)
        {
            lines = File.Exists(fixture.UsageFile) ? await File.ReadAllLinesAsync(fixture.UsageFile) : [];
            await Task.Yield();
        }

        var mine = lines.Where(l => l.Contains(submitted.WorkflowId, StringComparison.Ordinal)).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(2, mine.Count);
        Assert.All(mine, r => Assert.Equal("default", r.GetProperty("Tenant").GetString()));
    }

    [Fact]
    public async Task Extensions_IdentityProviderAndPermissionChecker_DecideAfterTheRoleRule()
    {
        using var viewer = fixture.Server.Client("ext-token-viewer");
        var page = await viewer.ListPageAsync();
        Assert.NotNull(page.Items);
        var submit = await Assert.ThrowsAsync<FlowMeshAuthenticationException>(() => viewer.SubmitAsync(Workflows.Echo("by-viewer", "x")));
        Assert.True(submit.IsForbidden);

        using var blocked = fixture.Server.Client("ext-token-blocked");
        var denied = await Assert.ThrowsAsync<FlowMeshAuthenticationException>(() => blocked.ListPageAsync());
        Assert.True(denied.IsForbidden);
        Assert.Contains("denied by policy", denied.Problem.Detail);
        Assert.NotEmpty(await blocked.ListNodesAsync());
    }

    private static async Task<(HttpStatusCode Status, string Body, string? ContentType)> SendAsync(HttpClient http, HttpMethod method, string url, string? body)
    {
        using var request = new HttpRequestMessage(method, url);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
        var text = response.Content.Headers.ContentType?.MediaType == "text/event-stream" ? string.Empty : await response.Content.ReadAsStringAsync(cts.Token);
        return (response.StatusCode, text, response.Content.Headers.ContentType?.MediaType);
    }

    private static string? Code(string body) => body.Length == 0 ? null : JsonDocument.Parse(body).RootElement.GetProperty("code").GetString();
}
