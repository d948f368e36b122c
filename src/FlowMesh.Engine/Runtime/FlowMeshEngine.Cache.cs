using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using FlowMesh.Engine.Actors;
using FlowMesh.Engine.Executors;
using FlowMesh.Engine.Store;

namespace FlowMesh.Engine.Runtime;

/// <summary>
/// Result caching: a task with <c>cache: true</c> (or <c>cache: {ttlSeconds}</c>) is keyed by its type and its spec as
/// it would run (templates resolved, upstream results included; scheduling fields such as priority or retry left out),
/// per tenant. When its dependencies are done and the key has a result, the task succeeds with it at once, without a
/// node; otherwise it runs, and its result is stored under the key when it succeeds.
/// </summary>
public sealed partial class FlowMeshEngine
{
    private static readonly string[] NotInKey = ["cache", "priority", "retry", "nodeSelector", "secrets", "resources", "output", "dependsOn", "condition"];
    private readonly Dictionary<(string Workflow, int Index), string> _cacheKeys = [];

    /// <summary>Serves a cacheable task from the cache; true when it did (the task has succeeded).</summary>
    private bool TryServeFromCache(StoreTransaction tx, WorkflowActor wf, TaskActor t)
    {
        if (t.Spec["cache"] is not { } cache || cache is JsonValue v && v.TryGetValue<bool>(out var on) && !on)
        {
            return false;
        }

        string key;
        try
        {
            key = CacheKey(wf, t);
        }
        catch (ExecutionException)
        {
            // The spec cannot be resolved: the task runs (and fails) as usual.
            return false;
        }

        var ttl = cache is JsonObject c ? Number(c["ttlSeconds"]) : null;
        var hit = Store.GetCached(wf.Tenant, key);
        if (hit is null || (ttl is { } seconds && _time.GetUtcNow() - hit.Value.CreatedAt > TimeSpan.FromSeconds(seconds)))
        {
            _cacheKeys[(wf.Id, t.Index)] = key;
            return false;
        }

        Event(wf, "task.cached", t, new JsonObject { ["key"] = key, ["workflow"] = hit.Value.WorkflowId, ["task"] = hit.Value.Task, ["at"] = hit.Value.CreatedAt });
        SucceedInPlace(tx, wf, t, JsonNode.Parse(hit.Value.Result), "served from the cache");
        return true;
    }

    /// <summary>Keeps a cacheable task's result under its key (called when it succeeded).</summary>
    private void StoreInCache(StoreTransaction tx, WorkflowActor wf, TaskActor t, string? result)
    {
        if (result is not null && _cacheKeys.Remove((wf.Id, t.Index), out var key))
        {
            tx.PutCached(wf.Tenant, key, result, wf.Id, t.Name, _time.GetUtcNow());
        }
    }

    private string CacheKey(WorkflowActor wf, TaskActor t)
    {
        var spec = BuildRequest(wf, t, []).Spec;
        foreach (var field in NotInKey)
        {
            spec.Remove(field);
        }

        var text = string.Create(CultureInfo.InvariantCulture, $"{t.TaskType}\n{spec.ToJsonString()}");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}
