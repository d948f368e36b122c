using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using FlowMesh.Client;
using FlowMesh.Client.Models;
using FlowMesh.Tests.Support;

namespace FlowMesh.Tests.Approvals;

/// <summary>
/// Approval gates on a real server whose signal keys were rotated: k2 signs, k1 still verifies for a day, k0's grace
/// is over. Signals go over plain HTTP without an API key, as an outside system would send them.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ApprovalTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
    private readonly TempDir _dir = new();
    private ServerProcess _server = null!;
    private FlowMeshClient _admin = null!;

    public async Task InitializeAsync()
    {
        var keys = string.Join(',', SignalTokenForge.Config("k2", 2), SignalTokenForge.Config("k1", 1, Now.AddDays(1)), SignalTokenForge.Config("k0", 7, Now.AddMinutes(-1)));
        _server = await ServerProcess.StartAsync(Path.Combine(_dir.Path, "data"), new Dictionary<string, string> { ["FLOWMESH_SIGNAL_KEYS"] = keys }, "--unplaceable-timeout", "0");
        _admin = _server.Client(_server.AdminToken);
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _server.DisposeAsync();
        _dir.Dispose();
    }

    internal static string Gated(string name, string extra = "") => $$$"""
        apiVersion: flowmesh/v1
        kind: Workflow
        metadata: {name: {{{name}}}}
        spec:
          graph:
            nodes:
              - name: build
                spec: {taskType: echo, data: {type: list, items: [artifact]}}
              - name: sign-off
                dependsOn: [build]
                spec:
                  taskType: approval
                  approval: {message: "ship it?"{{{extra}}}}
              - name: ship
                dependsOn: [sign-off]
                spec: {taskType: echo, data: {type: list, items: ["approved=${sign-off.approved}"]}}
        """;

    [Fact]
    public async Task Signal_RotatedKeyWithinGrace_ApprovesOnceAndRepeatsAreIdempotent()
    {
        var id = (await _admin.SubmitAsync(Gated("gated"))).WorkflowId;
        var gate = await OpenGateAsync(id);
        Assert.Equal("awaiting approval: ship it?", gate.WaitingOn);

        // Signed by k1, rotated out of signing but within its grace period.
        var token = SignalTokenForge.Make("k1", SignalTokenForge.Secret(1), id, "sign-off", gate.Attempt, Now.AddHours(1));
        using var http = _server.Http();
        var first = await SignalAsync(http, token, "approve", new JsonObject { ["ticket"] = "REL-7" });
        var again = await SignalAsync(http, token, "approve", new JsonObject { ["ticket"] = "REL-7" });
        Assert.Equal(HttpStatusCode.Accepted, first.Status);
        Assert.Equal((first.Status, first.Body), (again.Status, again.Body));
        Assert.Equal("approved", JsonNode.Parse(first.Body)!["decision"]!.GetValue<string>());

        // The other decision with the same token is a conflict: the holder may know the gate is closed.
        var reject = await SignalAsync(http, token, "reject");
        Assert.Equal(HttpStatusCode.Conflict, reject.Status);
        Assert.Contains("gate_closed", reject.Body, StringComparison.Ordinal);

        await WaitEndAsync(id);
        var info = await _admin.GetAsync(id);
        Assert.Equal("Succeeded", info.Workflow.State);
        var decision = await _admin.GetResultAsync(id, "sign-off");
        Assert.True(decision.GetProperty("approved").GetBoolean());
        Assert.Equal("REL-7", decision.GetProperty("data").GetProperty("ticket").GetString());
        var events = await _admin.GetEventsAsync(id);
        Assert.Single(events.Items, e => e.Kind == "task.signal");
    }

    [Fact]
    public async Task Signal_BadTokens_SameAnswerWhateverTheWait()
    {
        var id = (await _admin.SubmitAsync(Gated("oracle"))).WorkflowId;
        var gate = await OpenGateAsync(id);
        var issued = await _admin.CreateSignalTokenAsync(id, "sign-off", TimeSpan.FromMinutes(5));
        Assert.Equal("k2", issued.KeyId);
        Assert.Equal(gate.Attempt, issued.Gate);

        using var http = _server.Http();
        string[] bad =
        [
            "garbage",
            issued.Token[..^3] + (issued.Token.EndsWith("AAA", StringComparison.Ordinal) ? "BBB" : "AAA"),
            SignalTokenForge.Make("k0", SignalTokenForge.Secret(7), id, "sign-off", gate.Attempt, Now.AddHours(1)),
            SignalTokenForge.Make("k2", SignalTokenForge.Secret(9), id, "sign-off", gate.Attempt, Now.AddHours(1)),
            SignalTokenForge.Make("k2", SignalTokenForge.Secret(2), id, "sign-off", gate.Attempt, Now.AddMinutes(-1)),
            SignalTokenForge.Make("k2", SignalTokenForge.Secret(2), "wf-does-not-exist", "sign-off", 1, Now.AddHours(1)),
            SignalTokenForge.Make("k2", SignalTokenForge.Secret(2), id, "build", 1, Now.AddHours(1)),
            SignalTokenForge.Make("k2", SignalTokenForge.Secret(2), id, "sign-off", gate.Attempt + 1, Now.AddHours(1)),
        ];
        var answers = new List<(HttpStatusCode, string)>();
        foreach (var token in bad)
        {
            var answer = await SignalAsync(http, token, "approve");
            answers.Add((answer.Status, answer.Body));
        }

        Assert.All(answers, a => Assert.Equal(answers[0], a));
        Assert.Equal(HttpStatusCode.Forbidden, answers[0].Item1);
        Assert.Equal("Ready", (await _admin.GetTaskAsync(id, "sign-off")).State);

        // The server's own token still works, and a reject fails the gate and what depends on it.
        Assert.Equal(HttpStatusCode.Accepted, (await SignalAsync(http, issued.Token, "reject")).Status);
        await WaitEndAsync(id);
        var info = await _admin.GetAsync(id);
        Assert.Equal("Failed", info.Workflow.State);
        Assert.StartsWith("rejected by", info.Tasks.Single(t => t.Name == "sign-off").Error, StringComparison.Ordinal);
        Assert.Equal("upstream failed: sign-off", info.Tasks.Single(t => t.Name == "ship").Error);
    }

    [Fact]
    public async Task SignalToken_ViewerOrClosedGate_Refused()
    {
        var id = (await _admin.SubmitAsync(Gated("rules"))).WorkflowId;
        await OpenGateAsync(id);
        var viewer = await _admin.CreateTokenAsync(new CreateTokenRequest("approval-viewer", "viewer"));
        using var asViewer = _server.Client(viewer.Token);
        var forbidden = await Assert.ThrowsAnyAsync<FlowMeshException>(() => asViewer.CreateSignalTokenAsync(id, "sign-off"));
        Assert.Equal(403, forbidden.Status);
        var notGate = await Assert.ThrowsAnyAsync<FlowMeshException>(() => _admin.CreateSignalTokenAsync(id, "build"));
        Assert.Equal("not_an_approval", notGate.Code);

        await _admin.CancelAsync(id);
        var closed = await Assert.ThrowsAnyAsync<FlowMeshException>(() => _admin.CreateSignalTokenAsync(id, "sign-off"));
        Assert.Equal("gate_not_open", closed.Code);
    }

    [Fact]
    public async Task Gate_TimeoutRunsOut_FailsWithTheReason()
    {
        var id = (await _admin.SubmitAsync(Gated("hurry", ", timeoutSeconds: 1"))).WorkflowId;
        await WaitEndAsync(id);
        var info = await _admin.GetAsync(id);
        Assert.Equal("Failed", info.Workflow.State);
        Assert.StartsWith("approval timed out", info.Tasks.Single(t => t.Name == "sign-off").Error, StringComparison.Ordinal);
    }

    private async Task<TaskInfo> OpenGateAsync(string id)
    {
        await foreach (var e in _admin.WatchAsync(id))
        {
            if (e.Kind == "task.waiting" && e.Task == "sign-off")
            {
                break;
            }
        }

        return await _admin.GetTaskAsync(id, "sign-off");
    }

    private async Task WaitEndAsync(string id)
    {
        await foreach (var _ in _admin.WatchAsync(id))
        {
        }
    }

    private static async Task<(HttpStatusCode Status, string Body)> SignalAsync(HttpClient http, string token, string decision, JsonObject? data = null)
    {
        using var response = await http.PostAsJsonAsync("/api/v1/signals", new { token, decision, by = "release-bot", data });
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
