using FlowMesh.Client.Models;
using FlowMesh.Engine.Store;
using FlowMesh.Server.Extensibility;
using FlowMesh.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace FlowMesh.Server.Api;

internal static class TaskEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var g = api.MapGroup("/workflows/{workflowId}/tasks").WithTags("tasks");
        g.MapGet("", List).Requires("task", "read", Roles.Viewer);
        g.MapGet("/{task}", Get).Requires("task", "read", Roles.Viewer);
        g.MapGet("/{task}/spec", (HttpContext http, StoreAccess stores, string workflowId, string task) =>
            {
                using var store = stores.Open();
                return Results.Text(Load(store, http, workflowId, task).Task.Spec, "application/json");
            })
            .Requires("task", "read", Roles.Viewer).Produces(200, contentType: "application/json");
        g.MapPost("/{task}/stop", StopAsync).Requires("task", "cancel", Roles.Operator);
    }

    internal static (WorkflowRow Workflow, TaskRow Task, IReadOnlyList<TaskRow> All) Load(FlowMeshStore store, HttpContext http, string workflowId, string task)
    {
        var wf = WorkflowEndpoints.Load(store, http, workflowId);
        var all = store.GetTasks(wf.Id);
        return (wf, all.FirstOrDefault(t => t.Name == task) ?? throw ApiException.NotFound("task", task), all);
    }

    private static IReadOnlyList<TaskInfo> List(HttpContext http, StoreAccess stores, string workflowId, string? state)
    {
        using var store = stores.Open();
        var wf = WorkflowEndpoints.Load(store, http, workflowId);
        var tasks = Mapping.Tasks(store.GetTasks(wf.Id));
        return state is null ? tasks : [.. tasks.Where(t => string.Equals(t.State, state, StringComparison.OrdinalIgnoreCase))];
    }

    private static TaskInfo Get(HttpContext http, StoreAccess stores, string workflowId, string task)
    {
        using var store = stores.Open();
        var (_, row, all) = Load(store, http, workflowId, task);
        return Mapping.Task(row, all);
    }

    private static async Task<TaskInfo> StopAsync(HttpContext http, IEngineGateway engine, StoreAccess stores, string workflowId, string task)
    {
        using var store = stores.Open();
        var (wf, row, _) = Load(store, http, workflowId, task);
        if (Mapping.IsFinished(row))
        {
            throw new ApiException(409, "task_finished", $"task {row.Name} already finished ({row.State.ToLowerInvariant()})", "task");
        }

        try
        {
            await engine.StopTaskAsync(wf.Id, row.Name, $"stopped by {http.Caller().Subject}", http.RequestAborted).ConfigureAwait(false);
        }
        catch (InvalidOperationException ex)
        {
            throw new ApiException(409, "task_not_stoppable", ex.Message, "task");
        }

        var all = store.GetTasks(wf.Id);
        return Mapping.Task(all.First(t => t.Name == row.Name), all);
    }
}
