using System.Collections.Frozen;
using FlowMesh.Client.Models;
using FlowMesh.Server.Extensibility;
using FlowMesh.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace FlowMesh.Server.Api;

/// <summary>
/// The web dashboard: static assets compiled into this assembly (nothing is fetched from elsewhere at run time) and
/// served without auth, since they hold no data; everything they show comes from /api/v1 with the user's own key,
/// so the dashboard sees exactly what that key may see and offers only what its role may do.
/// </summary>
internal static class DashboardEndpoints
{
    private const string Prefix = "FlowMesh.Server.Dashboard.";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private static readonly FrozenDictionary<string, byte[]> Assets = Load();

    public static void MapAnonymous(IEndpointRouteBuilder app)
    {
        app.MapGet("/", () => Results.Redirect("/dashboard/")).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/dashboard/{**path}", Asset).AllowAnonymous().ExcludeFromDescription();
    }

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/me", (HttpContext http) =>
            {
                var caller = http.Caller();
                return new CallerInfo(caller.Tenant, caller.Role, caller.Subject, caller.IsSystemAdmin);
            })
            .WithTags("system").Requires("system", "read", Roles.Viewer);
        api.MapGet("/overview", (HttpContext http, StoreAccess stores, TimeProvider time) =>
            {
                var tenant = http.Caller().Tenant;
                using var store = stores.Open();
                var row = store.GetTenant(tenant);
                return new OverviewInfo(tenant, store.CountWorkflowsByState(tenant), store.CountLiveTasksByState(tenant), row?.MaxRunningTasks ?? 0, row?.MaxGpus ?? 0,
                    time.GetUtcNow());
            })
            .WithTags("system").Requires("system", "read", Roles.Viewer);
    }

    private static IResult Asset(HttpContext http, string? path)
    {
        // Relative asset URLs need the trailing slash; routing matches /dashboard and /dashboard/ alike.
        if (string.IsNullOrEmpty(path) && !(http.Request.Path.Value ?? string.Empty).EndsWith('/'))
        {
            return Results.Redirect("/dashboard/");
        }

        // Deep links (#/workflows/ID) are fragments, so every page is index.html; only named assets are files.
        var name = string.IsNullOrEmpty(path) ? "index.html" : path;
        if (!Assets.TryGetValue(name, out var bytes))
        {
            return Results.NotFound();
        }

        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Content-Type-Options"] = "nosniff";
        http.Response.Headers["Content-Security-Policy"] = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'";
        return Results.Bytes(bytes, ContentTypes.GetValueOrDefault(Path.GetExtension(name), "application/octet-stream"));
    }

    private static FrozenDictionary<string, byte[]> Load()
    {
        var assembly = typeof(DashboardEndpoints).Assembly;
        var assets = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            assets[resource[Prefix.Length..]] = copy.ToArray();
        }

        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
