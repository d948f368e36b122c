using System.Formats.Tar;
using System.IO.Compression;
using FlowMesh.Engine.Runtime;
using FlowMesh.Server.Extensibility;
using FlowMesh.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace FlowMesh.Server.Api;

/// <summary>A task's results.json, its artifact files, and a tar.gz bundle of results, artifacts and logs.</summary>
internal static class ResultEndpoints
{
    private static readonly string[] Parts = ["results", "artifacts", "logs"];

    public static void Map(RouteGroupBuilder api)
    {
        var g = api.MapGroup("/workflows/{workflowId}/tasks/{task}/results").WithTags("results");
        g.MapGet("", Get).Requires("result", "read", Roles.Viewer);
        g.MapGet("/files/{**path}", File).Requires("result", "read", Roles.Viewer);
        g.MapGet("/bundle", BundleAsync).Requires("result", "read", Roles.Viewer).Produces(200, contentType: "application/gzip");
    }

    private static IResult Get(HttpContext http, StoreAccess stores, ServerOptions options, string workflowId, string task)
    {
        using var store = stores.Open();
        var (wf, row, _) = TaskEndpoints.Load(store, http, workflowId, task);
        var file = Path.Combine(DataDirectory.ResultsOf(options.DataDirectory, wf.Id, row.Name), "results.json");
        if (System.IO.File.Exists(file))
        {
            return Results.File(file, "application/json");
        }

        return row.Result is { } json
            ? Results.Text(json, "application/json")
            : throw new ApiException(404, "result_not_found", $"task {row.Name} has no result yet ({row.State.ToLowerInvariant()})", "task");
    }

    /// <summary>The full path of <paramref name="path"/> in a task's results directory, or null when it would leave it.</summary>
    internal static string? PathInResults(ServerOptions options, string workflowId, string taskName, string path)
    {
        var root = Path.GetFullPath(DataDirectory.ResultsOf(options.DataDirectory, workflowId, taskName));
        var full = Path.GetFullPath(Path.Combine(root, path));
        return full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal) ? full : null;
    }

    private static IResult File(HttpContext http, StoreAccess stores, ServerOptions options, string workflowId, string task, string path)
    {
        using var store = stores.Open();
        var (wf, row, _) = TaskEndpoints.Load(store, http, workflowId, task);
        var full = PathInResults(options, wf.Id, row.Name, path)
            ?? throw new ApiException(400, "invalid_path", "the path leaves the task's results directory", "path");

        return System.IO.File.Exists(full)
            ? Results.File(full, "application/octet-stream", Path.GetFileName(full))
            : throw new ApiException(404, "file_not_found", $"task {row.Name} has no file '{path}'", "path");
    }

    private static async Task BundleAsync(HttpContext http, StoreAccess stores, ServerOptions options, string workflowId, string task, string[]? include)
    {
        string root;
        string name;
        using (var store = stores.Open())
        {
            var (wf, row, _) = TaskEndpoints.Load(store, http, workflowId, task);
            if (!Mapping.IsFinished(row))
            {
                throw new ApiException(409, "task_not_finished", $"task {row.Name} is {row.State.ToLowerInvariant()}; bundles are for finished tasks", "task");
            }

            root = DataDirectory.ResultsOf(options.DataDirectory, wf.Id, row.Name);
            name = $"{wf.Id}-{DataDirectory.SafeName(row.Name)}.tar.gz";
        }

        var parts = include is { Length: > 0 } ? include.SelectMany(i => i.Split(',')).Select(p => p.Trim().ToLowerInvariant()).ToHashSet() : [.. Parts];
        if (parts.Contains("all"))
        {
            parts = [.. Parts];
        }

        if (parts.FirstOrDefault(p => !Parts.Contains(p)) is { } unknown)
        {
            throw new ApiException(400, "invalid_include", $"include must be results, artifacts, logs or all, not '{unknown}'", "include");
        }

        http.Response.ContentType = "application/gzip";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"{name}\"";
        var gzip = new GZipStream(http.Response.Body, CompressionLevel.Fastest, leaveOpen: true);
        await using (gzip.ConfigureAwait(false))
        {
            var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true);
            await using (tar.ConfigureAwait(false))
            {
                if (Directory.Exists(root))
                {
                    foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                    {
                        var relative = Path.GetRelativePath(root, file).Replace('\\', '/');
                        var part = relative switch { "results.json" => "results", "logs.txt" => "logs", _ => "artifacts" };
                        if (parts.Contains(part))
                        {
                            await tar.WriteEntryAsync(file, relative, http.RequestAborted).ConfigureAwait(false);
                        }
                    }
                }
            }
        }
    }
}
