using FlowMesh.Engine.Agent.Protocol;
using FlowMesh.Engine.Store;
using FlowMesh.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace FlowMesh.Server.Api;

/// <summary>
/// The node agents' side of the API (<c>flowmesh node</c>): register, heartbeat, long-poll for work, report logs and
/// ends, upload result files, leave. Only node keys (role node) and system admins' keys may speak for a node. Every report names the attempt it
/// holds; a stale one is answered 409 <c>stale_lease</c> and changes nothing (a stale node epoch is 409 <c>stale_epoch</c>,
/// mapped by <see cref="ProblemMiddleware"/>).
/// </summary>
internal static class AgentEndpoints
{
    private static readonly TimeSpan MaxPoll = TimeSpan.FromSeconds(60);

    public static void Map(RouteGroupBuilder api)
    {
        var g = api.MapGroup("/agent/nodes").WithTags("agent");
        g.MapPost("", RegisterAsync).RequiresNodeAgent("agent");
        g.MapPost("/{nodeId}/heartbeat", HeartbeatAsync).RequiresNodeAgent("agent");
        g.MapGet("/{nodeId}/work", WorkAsync).RequiresNodeAgent("agent");
        g.MapPost("/{nodeId}/tasks/{workflowId}/{index}/report", ReportAsync).RequiresNodeAgent("agent");
        g.MapPut("/{nodeId}/tasks/{workflowId}/{index}/files/{**path}", UploadAsync).RequiresNodeAgent("agent");
        g.MapGet("/{nodeId}/tasks/{workflowId}/{index}/inputs/{stage}/{**path}", Input).RequiresNodeAgent("agent");
        g.MapPost("/{nodeId}/leave", LeaveAsync).RequiresNodeAgent("agent");
    }

    private static async Task<NodeWelcome> RegisterAsync(HttpContext http, IEngineGateway engine, NodeRegistration registration)
    {
        if (string.IsNullOrWhiteSpace(registration.NodeId) || registration.NodeId.Length > 128 || registration.NodeId.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
        {
            throw new ApiException(400, "invalid_node_id", "nodeId must be 1-128 letters, digits, '-', '_' or '.'", "nodeId");
        }

        if (registration.Capacity is null || registration.Capacity.Slots < 1 || registration.Capacity.CpuMillis < 0 || registration.Capacity.MemoryBytes < 0)
        {
            throw new ApiException(400, "invalid_capacity", "capacity needs at least one slot and no negative CPU or memory", "capacity");
        }

        try
        {
            return await engine.RegisterNodeAsync(registration with { Running = registration.Running ?? [] }, http.RequestAborted).ConfigureAwait(false);
        }
        catch (InvalidOperationException ex)
        {
            throw new ApiException(409, "node_id_taken", ex.Message, "nodeId");
        }
    }

    private static Task<HeartbeatReply> HeartbeatAsync(HttpContext http, IEngineGateway engine, string nodeId, Heartbeat beat) =>
        engine.HeartbeatAsync(nodeId, beat with { Running = beat.Running ?? [] }, http.RequestAborted);

    private static async Task<WorkBatch> WorkAsync(HttpContext http, IEngineGateway engine, string nodeId, long epoch, double? waitSeconds)
    {
        var wait = TimeSpan.FromSeconds(Math.Clamp(waitSeconds ?? 25, 0, MaxPoll.TotalSeconds));
        return await engine.TakeWorkAsync(nodeId, epoch, wait, http.RequestAborted).ConfigureAwait(false);
    }

    private static async Task<IResult> ReportAsync(HttpContext http, IEngineGateway engine, string nodeId, string workflowId, int index, TaskReport report)
    {
        var accepted = await engine.ReportAsync(nodeId, workflowId, index, report with { Lines = report.Lines ?? [] }, http.RequestAborted).ConfigureAwait(false);
        return accepted ? Results.NoContent() : throw StaleLease(nodeId, workflowId, index, report.Attempt);
    }

    /// <summary>Stores one file of a task's results directory, after checking the node still holds the attempt's lease.</summary>
    /// <remarks>
    /// The lease is read from the task's row: the engine commits a lease before the node can hear of it and revokes it
    /// in the commit that requeues the task, so the row answers as the engine would, without a turn of its loop per file.
    /// One row, not the whole workflow: a workflow of thousands of tasks uploads thousands of files.
    /// </remarks>
    private static async Task<IResult> UploadAsync(HttpContext http, ServerOptions options, StoreAccess stores, string nodeId, string workflowId, int index,
        string path, int attempt)
    {
        TaskRow? task;
        using (var store = stores.Open())
        {
            task = store.GetTask(workflowId, index);
        }

        if (task?.IsHeldBy(nodeId, attempt) != true)
        {
            throw StaleLease(nodeId, workflowId, index, attempt);
        }

        var taskName = task.Name;

        var target = ResultEndpoints.PathInResults(options, workflowId, taskName, path)
            ?? throw new ApiException(400, "invalid_path", $"'{path}' is outside the task's results directory", "path");

        // Checkpoints and other artifacts are far bigger than the API's body limit, which is for workflow documents.
        if (http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = null;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var partial = target + ".part";
        var file = File.Create(partial);
        await using (file.ConfigureAwait(false))
        {
            await http.Request.Body.CopyToAsync(file, http.RequestAborted).ConfigureAwait(false);
        }

        File.Move(partial, target, overwrite: true);
        return Results.NoContent();
    }

    /// <summary>
    /// A file from the results of an upstream stage of the task the node holds (a checkpoint archive the task resumes
    /// from): only while the lease is held, only from the task's ancestors, never outside their results directories.
    /// </summary>
    private static IResult Input(ServerOptions options, StoreAccess stores, string nodeId, string workflowId, int index, string stage, string path, int attempt)
    {
        using var store = stores.Open();
        var tasks = store.GetTasks(workflowId);
        if (index < 0 || index >= tasks.Count || !tasks[index].IsHeldBy(nodeId, attempt))
        {
            throw StaleLease(nodeId, workflowId, index, attempt);
        }
        var ancestors = new HashSet<int>();
        var pending = new Stack<int>([index]);
        while (pending.TryPop(out var current))
        {
            foreach (var dep in System.Text.Json.JsonSerializer.Deserialize<int[]>(tasks[current].Deps) ?? [])
            {
                if (ancestors.Add(dep))
                {
                    pending.Push(dep);
                }
            }
        }

        var upstream = tasks.FirstOrDefault(t => t.Name == stage && ancestors.Contains(t.Index)) ?? throw ApiException.NotFound("upstream stage", stage);
        if (ResultEndpoints.PathInResults(options, workflowId, upstream.Name, path) is not { } file || !File.Exists(file))
        {
            throw ApiException.NotFound("file", path);
        }

        return Results.File(file, "application/octet-stream", enableRangeProcessing: false);
    }

    private static async Task<IResult> LeaveAsync(HttpContext http, IEngineGateway engine, string nodeId, LeaveRequest request)
    {
        await engine.LeaveNodeAsync(nodeId, request with { HandBack = request.HandBack ?? [] }, http.RequestAborted).ConfigureAwait(false);
        return Results.NoContent();
    }

    private static ApiException StaleLease(string nodeId, string workflowId, int index, int attempt) =>
        new(409, "stale_lease", $"node {nodeId} does not hold task {workflowId}#{index} attempt {attempt}: its lease ran out or passed to another attempt", "attempt");
}
