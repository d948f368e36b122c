using System.Text.Json;
using FlowMesh.Client.Models;
using FlowMesh.Engine.Actors;
using FlowMesh.Engine.Agent;
using FlowMesh.Engine.Store;
using FlowMesh.Server.Extensibility;
using FlowMesh.Server.Hosting;
using FlowMesh.Workflows;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace FlowMesh.Server.Api;

/// <summary>
/// Nodes are shared by all tenants: anyone may see what a node has and how much is free, but only their own tasks on
/// it by name. Cordoning is for admins of the system tenant.
/// </summary>
internal static class NodeEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var g = api.MapGroup("/nodes").WithTags("nodes");
        g.MapGet("", List).Requires("node", "read", Roles.Viewer);
        g.MapGet("/{nodeId}", Get).Requires("node", "read", Roles.Viewer);
        g.MapPost("/{nodeId}/cordon", (HttpContext http, IEngineGateway engine, StoreAccess stores, string nodeId) => SetCordonAsync(http, engine, stores, nodeId, true))
            .Requires("node", "admin", Roles.Admin, systemAdminOnly: true);
        g.MapPost("/{nodeId}/uncordon", (HttpContext http, IEngineGateway engine, StoreAccess stores, string nodeId) => SetCordonAsync(http, engine, stores, nodeId, false))
            .Requires("node", "admin", Roles.Admin, systemAdminOnly: true);
    }

    private static IReadOnlyList<NodeInfo> List(HttpContext http, StoreAccess stores, bool? all)
    {
        using var store = stores.Open();
        var tenant = http.Caller().Tenant;
        return [.. store.ListNodes().Select(n => Info(store, n, tenant)).Where(n => all == true || n.State is "Up" or "Draining")];
    }

    private static NodeInfo Get(HttpContext http, StoreAccess stores, string nodeId)
    {
        using var store = stores.Open();
        var row = store.GetNode(nodeId) ?? throw ApiException.NotFound("node", nodeId);
        return Info(store, row, http.Caller().Tenant);
    }

    private static async Task<NodeInfo> SetCordonAsync(HttpContext http, IEngineGateway engine, StoreAccess stores, string nodeId, bool cordoned)
    {
        using var store = stores.Open();
        var row = store.GetNode(nodeId) ?? throw ApiException.NotFound("node", nodeId);
        try
        {
            await engine.CordonAsync(row.Id, cordoned, http.RequestAborted).ConfigureAwait(false);
        }
        catch (KeyNotFoundException)
        {
            throw new ApiException(409, "node_not_live", $"node {row.Id} is not live ({Effective(row)}); only a live node can be cordoned", "nodeId");
        }

        return Info(store, store.GetNode(row.Id)!, http.Caller().Tenant);
    }

    private static string Effective(NodeRow row) => row.State == "Up" && !ProcessIdentity.IsAlive(row) ? "Lost" : row.State;

    private static NodeInfo Info(FlowMeshStore store, NodeRow row, string tenant)
    {
        var capacity = JsonSerializer.Deserialize<NodeCapacity>(row.Capacity)!;
        var state = Effective(row);
        var running = state is "Up" or "Draining" ? store.GetRunningTasks(row.Id) : [];
        long cpu = 0, memory = 0;
        var used = new HashSet<int>();
        foreach (var (task, _) in running)
        {
            var r = JsonSerializer.Deserialize<ResourceRequest>(task.Resources) ?? ResourceRequest.None;
            cpu += r.CpuMillis;
            memory += r.MemoryBytes;
            used.UnionWith(task.Gpus is { } held ? JsonSerializer.Deserialize<int[]>(held) ?? [] : []);
        }

        var gpuList = capacity.Gpus.Select(g => new GpuInfo(g.Index, NodeActor.GpuName(g), g.MemoryBytes)).ToArray();
        var total = new NodeResources(capacity.CpuMillis / 1000.0, capacity.MemoryBytes, capacity.Slots, gpuList, capacity.TaskTypes);
        var free = new NodeResources((capacity.CpuMillis - cpu) / 1000.0, capacity.MemoryBytes - memory, capacity.Slots - running.Count,
            [.. gpuList.Where(g => !used.Contains(g.Index))], []);
        var mine = running.Where(r => r.Tenant == tenant).Select(r => new TaskRef(r.Task.WorkflowId, r.Task.Name)).ToArray();
        return new NodeInfo(row.Id, state, row.Host, row.Cordoned, row.HeartbeatAt, total, free, mine, running.Count - mine.Length, capacity.WarmModels ?? []);
    }
}
