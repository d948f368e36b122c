using FlowMesh.Client.Models;
using FlowMesh.Engine.Runtime;
using FlowMesh.Server.Extensibility;
using FlowMesh.Server.Hosting;
using FlowMesh.Server.Security;
using FlowMesh.Workflows.Schema;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace FlowMesh.Server.Api;

/// <summary>
/// Approval gates from outside: an operator asks for a token scoped to one open gate, and whoever holds it (a person
/// through the dashboard, a CI job, a webhook) posts the decision without an API key. Every token that does not
/// decide an existing wait gets the same 403, so the endpoint says nothing about workflows to those without one.
/// </summary>
internal static class SignalEndpoints
{
    private static readonly TimeSpan DefaultTtl = TimeSpan.FromHours(24);
    private static readonly TimeSpan MaxTtl = TimeSpan.FromDays(30);

    public static void MapAnonymous(IEndpointRouteBuilder app) =>
        app.MapPost("/api/v1/signals", SignalAsync).AllowAnonymous().WithTags("approvals").Accepts<SignalRequest>("application/json")
            .Produces<SignalResponse>(202);

    public static void Map(RouteGroupBuilder api) =>
        api.MapPost("/workflows/{workflowId}/tasks/{task}/signal-token", IssueToken).WithTags("approvals")
            .Requires("task", "approve", Roles.Operator).Produces<SignalTokenInfo>(201);

    private static IResult IssueToken(HttpContext http, StoreAccess stores, SignalTokens tokens, TimeProvider time, string workflowId, string task, double? ttlSeconds)
    {
        var ttl = ttlSeconds is { } s ? TimeSpan.FromSeconds(s) : DefaultTtl;
        if (ttl <= TimeSpan.Zero || ttl > MaxTtl)
        {
            throw new ApiException(400, "invalid_ttl", "ttlSeconds must be in (0, 2592000]", "ttlSeconds");
        }

        using var store = stores.Open();
        var (wf, row, _) = TaskEndpoints.Load(store, http, workflowId, task);
        if (row.TaskType != TaskTypes.Approval)
        {
            throw new ApiException(409, "not_an_approval", $"task {row.Name} is a {row.TaskType} task, not an approval gate", "task");
        }

        if (row.State != "Ready" || wf.State != "Running")
        {
            throw new ApiException(409, "gate_not_open", $"the approval gate {row.Name} is not open ({row.State.ToLowerInvariant()})", "task");
        }

        var scope = new SignalScope(wf.Id, row.Name, row.Attempt, time.GetUtcNow() + ttl);
        return Results.Created($"/api/v1/signals", new SignalTokenInfo(tokens.Issue(scope), wf.Id, row.Name, row.Attempt, scope.ExpiresAt, tokens.CurrentKeyId));
    }

    private static async Task<IResult> SignalAsync(HttpContext http, SignalTokens tokens, IEngineGateway engine)
    {
        SignalRequest? request;
        try
        {
            request = await http.Request.ReadFromJsonAsync<SignalRequest>(http.RequestAborted).ConfigureAwait(false);
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new ApiException(400, "invalid_body", $"the body must be JSON {{token, decision, by?, data?}}: {ex.Message}");
        }

        var approve = request?.Decision switch
        {
            "approve" => true,
            "reject" => false,
            _ => throw new ApiException(400, "invalid_decision", "decision must be 'approve' or 'reject'", "decision"),
        };
        if (request!.By is { Length: > 200 })
        {
            throw new ApiException(400, "invalid_by", "by must be at most 200 characters", "by");
        }

        var outcome = tokens.Verify(request.Token) is { } scope
            ? await engine.SignalAsync(scope.WorkflowId, scope.Task, scope.Gate, approve, request.By ?? "signal", request.Data, http.RequestAborted).ConfigureAwait(false)
            : SignalOutcome.Stale;
        return outcome switch
        {
            SignalOutcome.Accepted or SignalOutcome.Duplicate => Results.Json(new SignalResponse(approve ? "approved" : "rejected"), statusCode: 202),
            SignalOutcome.Conflict => throw new ApiException(409, "gate_closed", "this wait was already closed otherwise (decided the other way, cancelled or timed out)"),
            _ => throw new ApiException(403, "invalid_signal", "the token does not decide any open wait"),
        };
    }
}
