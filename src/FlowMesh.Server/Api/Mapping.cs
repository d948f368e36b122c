using System.Text.Json;
using FlowMesh.Client.Models;
using FlowMesh.Abstractions;
using FlowMesh.Engine.Store;

namespace FlowMesh.Server.Api;

internal static class Mapping
{
    public static WorkflowSummary Summary(WorkflowRow w) =>
        new(w.Id, w.Name, w.State, w.Submitter, w.SourceFile, w.Format, w.SubmittedAt, w.FinishedAt, w.TaskCount, w.Error);

    public static IReadOnlyList<TaskInfo> Tasks(IReadOnlyList<TaskRow> rows)
    {
        var names = rows.ToDictionary(r => r.Index, r => r);
        return [.. rows.Select(r => Task(r, names))];
    }

    /// <summary>True for Succeeded, Failed, Skipped and Cancelled, as the task state machine names them.</summary>
    public static bool IsFinished(TaskRow r) => StateMachines.Task.IsTerminal(Enum.Parse<TaskState>(r.State));

    public static TaskInfo Task(TaskRow r, IReadOnlyList<TaskRow> all) => Task(r, all.ToDictionary(t => t.Index));

    public static TaskInfo Task(TaskRow r, IReadOnlyDictionary<int, TaskRow> all)
    {
        var deps = JsonSerializer.Deserialize<int[]>(r.Deps) ?? [];
        return new TaskInfo(r.Name, r.TaskType, r.State, [.. deps.Select(d => all[d].Name)], r.Attempt, r.NodeId, r.StartedAt, r.FinishedAt, r.Error,
            WaitingOn(r, deps, all));
    }

    public static WorkflowInfo Info(WorkflowRow w, IReadOnlyList<TaskRow> rows)
    {
        var counts = rows.GroupBy(r => r.State, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return new WorkflowInfo(Summary(w), Tasks(rows), counts);
    }

    /// <summary>Why a task that is not running yet waits: its upstream tasks, or the scheduler's last note.</summary>
    private static string? WaitingOn(TaskRow r, int[] deps, IReadOnlyDictionary<int, TaskRow> all) => r.State switch
    {
        "Pending" => deps.Select(d => all[d]).Where(d => d.State is not ("Succeeded" or "Skipped")).Select(d => d.Name).ToArray() is { Length: > 0 } open
            ? $"waiting for upstream: {string.Join(", ", open)}"
            : "dependencies done; being scheduled",
        "Ready" => r.Waiting ?? "queued for a node",
        _ => null,
    };
}
