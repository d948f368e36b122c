using System.CommandLine;
using System.Globalization;
using FlowMesh.Client;
using FlowMesh.Client.Models;

namespace FlowMesh.Cli.Remote;

/// <summary><c>flowmesh trace WORKFLOW</c>: where a workflow's time went, read from its event log on the server.</summary>
internal static class TraceCommand
{
    public static Command Create()
    {
        var id = new Argument<string>("workflow") { Description = "Workflow id" };
        var all = new Option<bool>("--all") { Description = "List every task, not only those on the critical path" };
        var command = new Command("trace", """
            The critical path of a workflow (the chain of tasks that ended last) with each task's queue time (ready →
            placed on a node) and run time (placed → ended). Exit 0; 1 when the workflow does not exist.
            """) { id, all };
        command.SetAction((result, ct) => Remote.RunAsync(result, async client =>
        {
            var workflowId = result.GetValue(id)!;
            var info = await client.GetAsync(workflowId, ct).ConfigureAwait(false);
            var events = await AllEventsAsync(client, workflowId, ct).ConfigureAwait(false);
            var timings = CriticalPath.Timings(info, events);
            var path = CriticalPath.Of(timings);
            var onPath = path.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
            var origin = events.Count > 0 ? events[0].At : info.Workflow.SubmittedAt;
            if (Remote.IsJson(result))
            {
                Remote.PrintJson(new
                {
                    workflow = workflowId,
                    state = info.Workflow.State,
                    wallMs = Ms(path.LastOrDefault()?.FinishedAt - origin),
                    criticalPath = path.Select(t => Row(t, origin)),
                    tasks = result.GetValue(all) ? timings.Values.Select(t => Row(t, origin)) : null,
                });
                return 0;
            }

            var end = path.LastOrDefault()?.FinishedAt;
            Console.WriteLine($"workflow {workflowId}  {info.Workflow.State.ToLowerInvariant()}  wall {Format(end - origin)}  critical path {path.Count} of {info.Tasks.Count} tasks");
            Console.WriteLine($"  {"",1} {"task",-24} {"state",-10} {"start",10} {"queue",10} {"run",10}  node");
            var rows = result.GetValue(all) ? timings.Values.OrderBy(t => t.ReadyAt ?? t.FinishedAt ?? DateTimeOffset.MaxValue).ToList() : path;
            foreach (var t in rows)
            {
                Console.WriteLine($"  {(onPath.Contains(t.Name) ? "*" : " "),1} {t.Name,-24} {t.State.ToLowerInvariant(),-10} {Format(t.ReadyAt - origin),10} {Format(t.Queue),10} {Format(t.Run),10}  {t.Node ?? "-"}");
            }

            if (path.Count > 0)
            {
                var queue = path.Sum(t => t.Queue?.TotalMilliseconds ?? 0);
                var run = path.Sum(t => t.Run?.TotalMilliseconds ?? 0);
                Console.WriteLine($"critical path: {Format(TimeSpan.FromMilliseconds(queue))} queued, {Format(TimeSpan.FromMilliseconds(run))} running");
            }

            return 0;
        }));
        return command;
    }

    private static async Task<List<EventInfo>> AllEventsAsync(FlowMeshClient client, string workflowId, CancellationToken ct)
    {
        var events = new List<EventInfo>();
        long cursor = 0;
        while (true)
        {
            var page = await client.GetEventsAsync(workflowId, cursor, 1000, ct).ConfigureAwait(false);
            events.AddRange(page.Items.Where(e => e.Kind != "task.log"));
            if (page.Items.Count == 0 || page.NextCursor == cursor)
            {
                return events;
            }

            cursor = page.NextCursor;
        }
    }

    private static object Row(TaskTiming t, DateTimeOffset origin) => new
    {
        task = t.Name,
        state = t.State,
        attempt = t.Attempt,
        node = t.Node,
        startMs = Ms(t.ReadyAt - origin),
        queueMs = Ms(t.Queue),
        runMs = Ms(t.Run),
    };

    private static double? Ms(TimeSpan? span) => span is { } s ? Math.Round(s.TotalMilliseconds, 3) : null;

    private static string Format(TimeSpan? span) => span switch
    {
        null => "-",
        { TotalSeconds: < 1 } s => s.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture) + " ms",
        { TotalMinutes: < 2 } s => s.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) + " s",
        var s => s.Value.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture),
    };
}
