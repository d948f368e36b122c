using System.Globalization;
using System.Text;
using FlowMesh.Client.Models;
using FlowMesh.Server.Extensibility;
using FlowMesh.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace FlowMesh.Server.Api;

internal static class SystemEndpoints
{
    public static void MapAnonymous(IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => Results.Text("ok")).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/readyz", (StoreAccess stores) =>
        {
            try
            {
                using var store = stores.Open();
                return store.Ping() ? Results.Text("ready") : Results.Text("store not initialised", statusCode: 503);
            }
            catch (System.Data.Common.DbException ex)
            {
                return Results.Text($"store unreachable: {ex.Message}", statusCode: 503);
            }
        }).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/metrics", Metrics).AllowAnonymous().ExcludeFromDescription();
    }

    public static void Map(RouteGroupBuilder api)
    {
        var g = api.MapGroup("/system").WithTags("system");
        g.MapGet("/version", (ServerOptions options) => new VersionInfo(typeof(SystemEndpoints).Assembly.GetName().Version?.ToString(3) ?? "0.0.0", "v1",
                options.Clustered ? "postgres" : "sqlite"))
            .Requires("system", "read", Roles.Viewer);
        g.MapGet("/cluster", (ServerOptions options, StoreAccess stores, IEngineGateway engine) =>
            {
                if (!options.Clustered)
                {
                    return new ClusterInfo("single", options.ReplicaId, options.ReplicaId, 0, true);
                }

                using var store = stores.Open();
                var leader = store.CurrentLeader();
                return new ClusterInfo("cluster", options.ReplicaId, leader?.Replica, leader?.Term ?? 0, engine.Counters is not null);
            })
            .Requires("system", "read", Roles.Viewer);
        g.MapGet("/routes", (EndpointDataSource endpoints) => endpoints.Endpoints.OfType<RouteEndpoint>()
                .Where(e => e.RoutePattern.RawText?.StartsWith("/api/", StringComparison.Ordinal) == true)
                .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []).Select(m => $"{m} {e.RoutePattern.RawText!.TrimEnd('/')}"))
                .Order(StringComparer.Ordinal).ToArray())
            .Requires("system", "read", Roles.Viewer);
    }

    /// <summary>
    /// Prometheus text format: the engine's meter (tasks by state, dispatch latency, queue depth per tenant, node capacity
    /// and use, lease expiries, retries; on the replica that leads), engine counters, workflows by state from the store,
    /// and HTTP answers by status code.
    /// </summary>
    private static string Metrics(IEngineGateway engine, StoreAccess stores, ApiMetrics api, Telemetry.ServerTelemetry telemetry)
    {
        var text = new StringBuilder(telemetry.Scrape());
        void Counter(string name, string help, long value)
        {
            text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}\n");
        }

        Counter("flowmesh_engine_commits_total", "Store transactions committed by the engine.", engine.Counters?.Commits ?? 0);
        Counter("flowmesh_engine_transitions_total", "Task state transitions applied.", engine.Counters?.Transitions ?? 0);
        Counter("flowmesh_engine_edge_visits_total", "DAG edges visited while resolving readiness.", engine.Counters?.EdgeVisits ?? 0);
        text.Append("# HELP flowmesh_workflows Workflows in the store by state.\n# TYPE flowmesh_workflows gauge\n");
        using (var store = stores.Open())
        {
            foreach (var (state, count) in store.CountWorkflowsByState().OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                text.Append(CultureInfo.InvariantCulture, $"flowmesh_workflows{{state=\"{state}\"}} {count}\n");
            }
        }

        text.Append("# HELP flowmesh_http_responses_total HTTP responses by status code.\n# TYPE flowmesh_http_responses_total counter\n");
        foreach (var (code, count) in api.Snapshot())
        {
            text.Append(CultureInfo.InvariantCulture, $"flowmesh_http_responses_total{{code=\"{code}\"}} {count}\n");
        }

        return text.ToString();
    }
}
