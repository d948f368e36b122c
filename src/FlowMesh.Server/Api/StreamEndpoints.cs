using System.Text.Json;
using System.Text.Json.Nodes;
using FlowMesh.Client.Models;
using FlowMesh.Engine.Store;
using FlowMesh.Server.Extensibility;
using FlowMesh.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace FlowMesh.Server.Api;

/// <summary>Events and logs of a workflow or one task: pages by cursor, and live SSE streams.</summary>
internal static class StreamEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var g = api.MapGroup("/workflows/{workflowId}").WithTags("events and logs");
        g.MapGet("/events", Events).Requires("workflow", "read", Roles.Viewer);
        g.MapGet("/events/stream", EventsStreamAsync).Requires("workflow", "read", Roles.Viewer).Produces(200, contentType: "text/event-stream");
        g.MapGet("/logs", (HttpContext http, StoreAccess stores, string workflowId, long? cursor, int? limit) => Logs(http, stores, workflowId, null, cursor, limit))
            .Requires("workflow", "read", Roles.Viewer);
        g.MapGet("/logs/stream", (HttpContext http, StoreAccess stores, EventStreamer streamer, string workflowId, long? cursor) => LogStreamAsync(http, stores, streamer, workflowId, null, cursor))
            .Requires("workflow", "read", Roles.Viewer).Produces(200, contentType: "text/event-stream");
        g.MapGet("/tasks/{task}/logs", (HttpContext http, StoreAccess stores, string workflowId, string task, long? cursor, int? limit) => Logs(http, stores, workflowId, task, cursor, limit))
            .Requires("task", "read", Roles.Viewer).WithTags("tasks");
        g.MapGet("/tasks/{task}/logs/stream", (HttpContext http, StoreAccess stores, EventStreamer streamer, string workflowId, string task, long? cursor) => LogStreamAsync(http, stores, streamer, workflowId, task, cursor))
            .Requires("task", "read", Roles.Viewer).WithTags("tasks").Produces(200, contentType: "text/event-stream");
    }

    private static EventPage Events(HttpContext http, StoreAccess stores, string workflowId, long? cursor, int? limit)
    {
        using var store = stores.Open();
        var row = WorkflowEndpoints.Load(store, http, workflowId);
        var after = EventStreamer.Cursor(http, cursor);
        var take = Http.Limit(limit, 500, 10_000);
        var rows = store.GetEvents(row.Id, after, take);
        var items = rows.Select(e => new EventInfo(e.Seq, e.At, e.Kind, e.Task, JsonDocument.Parse(e.Data).RootElement.Clone())).ToArray();
        var next = rows.Count > 0 ? rows[^1].Seq : after;
        return new EventPage(items, next, EngineHost.IsTerminal(row.State) && rows.Count < take);
    }

    private static async Task EventsStreamAsync(HttpContext http, StoreAccess stores, EventStreamer streamer, string workflowId, long? cursor)
    {
        string id;
        using (var store = stores.Open())
        {
            id = WorkflowEndpoints.Load(store, http, workflowId).Id;
        }

        await streamer.StreamAsync(http, id, EventStreamer.Cursor(http, cursor), e => (e.Kind, Payload(e))).ConfigureAwait(false);
    }

    private static LogPage Logs(HttpContext http, StoreAccess stores, string workflowId, string? task, long? cursor, int? limit)
    {
        using var store = stores.Open();
        var row = task is null ? WorkflowEndpoints.Load(store, http, workflowId) : TaskEndpoints.Load(store, http, workflowId, task).Workflow;

        var after = EventStreamer.Cursor(http, cursor);
        var take = Http.Limit(limit, 500, 10_000);
        var rows = store.GetEvents(row.Id, after, take, kind: "task.log", task: task);
        var entries = rows.SelectMany(EventStreamer.Lines).ToArray();
        var next = rows.Count > 0 ? rows[^1].Seq : after;
        return new LogPage(entries, next, EngineHost.IsTerminal(row.State) && rows.Count < take);
    }

    private static async Task LogStreamAsync(HttpContext http, StoreAccess stores, EventStreamer streamer, string workflowId, string? task, long? cursor)
    {
        string id;
        using (var store = stores.Open())
        {
            id = (task is null ? WorkflowEndpoints.Load(store, http, workflowId) : TaskEndpoints.Load(store, http, workflowId, task).Workflow).Id;
        }

        await streamer.StreamAsync(http, id, EventStreamer.Cursor(http, cursor), e =>
            e.Kind == "task.log" && (task is null || e.Task == task)
                ? ("log", new JsonObject { ["seq"] = e.Seq, ["task"] = e.Task, ["lines"] = JsonNode.Parse(e.Data)?["lines"]?.DeepClone() }.ToJsonString())
                : null).ConfigureAwait(false);
    }

    /// <summary>The SSE data of an event: its stored payload with seq, kind and task added, one JSON line.</summary>
    private static string Payload(EventRow e)
    {
        var data = JsonNode.Parse(e.Data) as JsonObject ?? [];
        data["seq"] = e.Seq;
        data["kind"] = e.Kind;
        data["at"] = e.At;
        if (e.Task is not null)
        {
            data["task"] = e.Task;
        }

        return data.ToJsonString();
    }
}
