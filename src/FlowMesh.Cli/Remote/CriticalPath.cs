using System.Text.Json;
using FlowMesh.Client.Models;

namespace FlowMesh.Cli.Remote;

/// <summary>
/// The critical path of a finished workflow: from the task that ended last, walk back through the dependency that
/// ended last each time. That chain is what bounded the workflow's wall time; each step's queue time (ready → placed)
/// and run time (placed → ended) say whether nodes or the work itself were the bound.
/// </summary>
internal static class CriticalPath
{
    public static IReadOnlyDictionary<string, TaskTiming> Timings(WorkflowInfo info, IEnumerable<EventInfo> events)
    {
        var ready = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var started = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var ended = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var e in events.Where(e => e.Kind == "task.state" && e.Task is not null))
        {
            var state = e.Data.TryGetProperty("state", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
            switch (state)
            {
                case "Ready":
                    ready[e.Task!] = e.At;
                    started.Remove(e.Task!);
                    break;
                case "Running":
                    started[e.Task!] = e.At;
                    break;
                case "Succeeded" or "Failed" or "Cancelled" or "Skipped":
                    ended[e.Task!] = e.At;
                    break;
            }
        }

        return info.Tasks.ToDictionary(t => t.Name, t => new TaskTiming(t.Name, t.State, t.DependsOn, t.Attempt, t.Node,
            ready.TryGetValue(t.Name, out var r) ? r : null, started.TryGetValue(t.Name, out var s) ? s : null,
            ended.TryGetValue(t.Name, out var f) ? f : t.FinishedAt), StringComparer.Ordinal);
    }

    /// <summary>The chain that ended last, first task first; empty when nothing has ended.</summary>
    public static IReadOnlyList<TaskTiming> Of(IReadOnlyDictionary<string, TaskTiming> timings)
    {
        var last = timings.Values.Where(t => t.FinishedAt is not null).OrderByDescending(t => t.FinishedAt).ThenBy(t => t.Name, StringComparer.Ordinal).FirstOrDefault();
        var path = new List<TaskTiming>();
        while (last is not null)
        {
            path.Add(last);
            last = last.DependsOn.Select(d => timings.GetValueOrDefault(d)).Where(t => t?.FinishedAt is not null)
                .OrderByDescending(t => t!.FinishedAt).ThenBy(t => t!.Name, StringComparer.Ordinal).FirstOrDefault();
        }

        path.Reverse();
        return path;
    }
}
