using System.Text;
using FlowMesh.Client.Models;
using FlowMesh.Engine.Store;
using FlowMesh.Server.Extensibility;
using FlowMesh.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace FlowMesh.Server.Api;

internal static class WorkflowEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var g = api.MapGroup("/workflows").WithTags("workflows");
        g.MapPost("", SubmitAsync).Requires("workflow", "write", Roles.Operator)
            .Accepts<string>("application/yaml", "text/plain", "application/json").Produces<SubmitResponse>(201);
        g.MapPost("/validate", (Delegate)ValidateAsync).Accepts<string>("application/yaml", "text/plain", "application/json").Produces<ValidateResponse>().Requires("workflow", "read", Roles.Viewer);
        g.MapGet("", List).Requires("workflow", "read", Roles.Viewer);
        g.MapGet("/{workflowId}", Get).Requires("workflow", "read", Roles.Viewer);
        g.MapPost("/{workflowId}/cancel", CancelAsync).Requires("workflow", "cancel", Roles.Operator);
        g.MapPost("/{workflowId}/retry", RetryAsync).Requires("workflow", "write", Roles.Operator);
        g.MapPost("/{workflowId}/pause", (HttpContext http, IEngineGateway engine, StoreAccess stores, string workflowId) => PauseAsync(http, engine, stores, workflowId, paused: true))
            .Requires("workflow", "cancel", Roles.Operator);
        g.MapPost("/{workflowId}/resume", (HttpContext http, IEngineGateway engine, StoreAccess stores, string workflowId) => PauseAsync(http, engine, stores, workflowId, paused: false))
            .Requires("workflow", "cancel", Roles.Operator);
    }

    internal static WorkflowRow Load(FlowMeshStore store, HttpContext http, string workflowId) =>
        store.GetWorkflow(http.Caller().Tenant, workflowId) ?? throw ApiException.NotFound("workflow", workflowId);

    private static async Task<IResult> SubmitAsync(HttpContext http, IEngineGateway engine, StoreAccess stores, IEnumerable<ISubmissionGuard> guards)
    {
        var caller = http.Caller();
        var definition = await WorkflowBody.ParseAsync(http, invalidStatus: 400).ConfigureAwait(false);
        var view = new SubmittedWorkflow(definition.Name, definition.SourceFile, [.. definition.Tasks.Select(t => new SubmittedTask(t.Name, t.TaskType, t.Resources.GpuCount))]);
        foreach (var guard in guards)
        {
            if (await guard.CheckAsync(caller, view, http.RequestAborted).ConfigureAwait(false) is { } reason)
            {
                throw new ApiException(403, "submission_rejected", reason);
            }
        }

        var id = await engine.SubmitAsync(definition, caller.Tenant, caller.Subject, http.RequestAborted).ConfigureAwait(false);
        using var store = stores.Open();
        var tasks = Mapping.Tasks(store.GetTasks(id));
        return Results.Created($"/api/v1/workflows/{id}", new SubmitResponse(id, definition.Name, tasks));
    }

    private static async Task<IResult> ValidateAsync(HttpContext http)
    {
        var (parsed, _) = await WorkflowBody.ReadAndParseAsync(http).ConfigureAwait(false);
        return parsed.Success
            ? Results.Ok(new ValidateResponse(true, parsed.Workflow!.Name, [.. parsed.Workflow.Tasks.Select(t => new ValidatedTask(t.Name, t.TaskType, t.DependsOn))], []))
            : Results.Ok(new ValidateResponse(false, null, [], WorkflowBody.Diagnostics(parsed)));
    }

    private static WorkflowPage List(HttpContext http, StoreAccess stores, string? state, string? name, string? submitter, DateTimeOffset? since, DateTimeOffset? until,
        int? limit, string? cursor)
    {
        if (state is not null && !Enum.TryParse<Abstractions.WorkflowState>(state, ignoreCase: true, out _))
        {
            throw new ApiException(400, "invalid_state", $"state must be one of {string.Join(", ", Enum.GetNames<Abstractions.WorkflowState>())}", "state");
        }

        var take = Http.Limit(limit, 50, 500);
        var query = new WorkflowQuery(http.Caller().Tenant, take + 1, Normalize(state), name, submitter, since, until, WorkflowCursor.Decode(cursor));
        using var store = stores.Open();
        var rows = store.ListWorkflows(query);
        var page = rows.Take(take).Select(Mapping.Summary).ToArray();
        return new WorkflowPage(page, rows.Count > take ? WorkflowCursor.Encode(rows[take - 1]) : null);
    }

    private static WorkflowInfo Get(HttpContext http, StoreAccess stores, string workflowId)
    {
        using var store = stores.Open();
        var row = Load(store, http, workflowId);
        return Mapping.Info(row, store.GetTasks(row.Id));
    }

    private static async Task<WorkflowInfo> CancelAsync(HttpContext http, IEngineGateway engine, StoreAccess stores, string workflowId)
    {
        using var store = stores.Open();
        var row = Load(store, http, workflowId);
        if (EngineHost.IsTerminal(row.State))
        {
            throw new ApiException(409, "workflow_finished", $"workflow {row.Id} already finished ({row.State.ToLowerInvariant()})", "workflowId");
        }

        try
        {
            await engine.CancelAsync(row.Id, $"cancelled by {http.Caller().Subject}", http.RequestAborted).ConfigureAwait(false);
        }
        catch (KeyNotFoundException ex)
        {
            throw new ApiException(409, "workflow_not_running_here", ex.Message, "workflowId");
        }

        return Mapping.Info(store.GetWorkflow(row.Id)!, store.GetTasks(row.Id));
    }

    private static async Task<WorkflowInfo> PauseAsync(HttpContext http, IEngineGateway engine, StoreAccess stores, string workflowId, bool paused)
    {
        using var store = stores.Open();
        var row = Load(store, http, workflowId);
        if (EngineHost.IsTerminal(row.State))
        {
            throw new ApiException(409, "workflow_finished", $"workflow {row.Id} already finished ({row.State.ToLowerInvariant()})", "workflowId");
        }

        try
        {
            await engine.PauseAsync(row.Id, paused, http.RequestAborted).ConfigureAwait(false);
        }
        catch (KeyNotFoundException ex)
        {
            throw new ApiException(409, "workflow_not_running_here", ex.Message, "workflowId");
        }
        catch (InvalidOperationException ex)
        {
            throw new ApiException(409, paused ? "workflow_not_running" : "workflow_not_paused", ex.Message, "workflowId");
        }

        return Mapping.Info(store.GetWorkflow(row.Id)!, store.GetTasks(row.Id));
    }

    private static async Task<RetryResponse> RetryAsync(HttpContext http, IEngineGateway engine, StoreAccess stores, string workflowId)
    {
        using var store = stores.Open();
        var row = Load(store, http, workflowId);
        try
        {
            return new RetryResponse(row.Id, await engine.RetryAsync(row.Id, http.RequestAborted).ConfigureAwait(false));
        }
        catch (InvalidOperationException ex)
        {
            throw new ApiException(409, "workflow_not_retryable", ex.Message, "workflowId");
        }
    }

    private static string? Normalize(string? state) =>
        state is null ? null : Enum.Parse<Abstractions.WorkflowState>(state, ignoreCase: true).ToString();

    /// <summary>Keyset cursor over (submitted_at, id), opaque to clients.</summary>
    private static class WorkflowCursor
    {
        public static string Encode(WorkflowRow last) =>
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{last.SubmittedAt.UtcTicks}|{last.Id}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        public static (DateTimeOffset, string)? Decode(string? cursor)
        {
            if (string.IsNullOrEmpty(cursor))
            {
                return null;
            }

            try
            {
                var b64 = cursor.Replace('-', '+').Replace('_', '/');
                var text = Encoding.UTF8.GetString(Convert.FromBase64String(b64.PadRight(b64.Length + ((4 - (b64.Length % 4)) % 4), '=')));
                var bar = text.IndexOf('|', StringComparison.Ordinal);
                return (new DateTimeOffset(long.Parse(text[..bar], System.Globalization.CultureInfo.InvariantCulture), TimeSpan.Zero), text[(bar + 1)..]);
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or OverflowException)
            {
                throw new ApiException(400, "invalid_cursor", "cursor is not one this server issued", "cursor");
            }
        }
    }
}
