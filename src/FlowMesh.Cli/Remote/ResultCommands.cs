using System.CommandLine;
using System.Text.Json;

namespace FlowMesh.Cli.Remote;

/// <summary><c>flowmesh result fetch|download</c>.</summary>
internal static class ResultCommands
{
    public static Command Create()
    {
        var wf = new Argument<string>("workflow-id");
        var task = new Argument<string>("task");
        var fetch = new Command("fetch", "Print a task's results.json") { wf, task };
        fetch.SetAction((result, ct) => Remote.RunAsync(result, async client =>
        {
            var json = await client.GetResultAsync(result.GetValue(wf)!, result.GetValue(task)!, ct).ConfigureAwait(false);
            Console.WriteLine(JsonSerializer.Serialize(json, Remote.Json));
            return 0;
        }));

        var wf2 = new Argument<string>("workflow-id");
        var task2 = new Argument<string>("task");
        var file = new Option<string?>("--file") { Description = "One artifact (a path under the task's results) instead of the bundle" };
        var include = new Option<string[]>("--include") { Description = "Bundle parts: results, artifacts, logs or all (default all)" };
        var output = new Option<string?>("--to") { Description = "Where to write (default: the bundle's or file's name in the current directory)" };
        var download = new Command("download", "Download a finished task's bundle (tar.gz of results, artifacts and logs) or one file") { wf2, task2, file, include, output };
        download.SetAction((result, ct) => Remote.RunAsync(result, async client =>
        {
            var (id, name) = (result.GetValue(wf2)!, result.GetValue(task2)!);
            var one = result.GetValue(file);
            var target = result.GetValue(output) ?? (one is null ? $"{id}-{Engine.Runtime.DataDirectory.SafeName(name)}.tar.gz" : Path.GetFileName(one));
            var temp = target + ".part";
            try
            {
                await using (var stream = File.Create(temp))
                {
                    if (one is null)
                    {
                        await client.DownloadBundleAsync(id, name, stream, result.GetValue(include) is { Length: > 0 } parts ? parts : null, ct).ConfigureAwait(false);
                    }
                    else
                    {
                        await client.DownloadFileAsync(id, name, one, stream, ct).ConfigureAwait(false);
                    }
                }

                File.Move(temp, target, overwrite: true);
            }
            finally
            {
                File.Delete(temp);
            }

            Console.WriteLine($"wrote {target} ({new FileInfo(target).Length} bytes)");
            return 0;
        }));
        return Remote.Group("result", "Results of tasks on a FlowMesh server", fetch, download);
    }
}
