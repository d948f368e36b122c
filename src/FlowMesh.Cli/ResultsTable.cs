using System.Text.Json.Nodes;
using FlowMesh.Engine.Store;

namespace FlowMesh.Cli;

/// <summary>The table printed when a workflow ends: one row per task with its state, attempts, time and output.</summary>
internal static class ResultsTable
{
    public static void Print(WorkflowRow workflow, IReadOnlyList<TaskRow> tasks, TimeSpan? elapsed)
    {
        Console.WriteLine();
        Console.WriteLine($"{workflow.Name} ({workflow.Id}): {workflow.State.ToLowerInvariant()}{(elapsed is { } e ? $" in {e.TotalSeconds:0.00}s" : string.Empty)}");
        var rows = tasks.Select(t => new[]
        {
            t.Name,
            t.TaskType,
            t.State.ToLowerInvariant(),
            t.Attempt.ToString(System.Globalization.CultureInfo.InvariantCulture),
            t.StartedAt is { } s && t.FinishedAt is { } f ? $"{(f - s).TotalSeconds:0.00}s" : "-",
            Summary(t),
        }).ToList();
        string[] header = ["TASK", "TYPE", "STATE", "TRIES", "TIME", "OUTPUT"];
        var widths = header.Select((h, i) => Math.Min(40, rows.Select(r => r[i].Length).Append(h.Length).Max())).ToArray();
        Console.WriteLine(Format(header, widths));
        foreach (var row in rows)
        {
            Console.WriteLine(Format(row, widths));
        }
    }

    public static string Summary(TaskRow t)
    {
        if (t.Error is not null && t.State is "Failed" or "Cancelled")
        {
            return $"error: {t.Error}";
        }

        if (t.Result is null)
        {
            return string.Empty;
        }

        var result = JsonNode.Parse(t.Result);
        string text = result switch
        {
            JsonObject o when o["skipped"] is not null => $"skipped: {o["reason"]}",
            JsonObject o when o["items"] is JsonArray items => string.Join(" | ", items.Select(i => Text(i?["output"]))),
            JsonObject o when o.ContainsKey("value") => Text(o["value"]),
            _ => Text(result),
        };
        return text.ReplaceLineEndings(" ");
    }

    private static string Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : node?.ToJsonString() ?? "null";

    private static string Format(string[] cells, int[] widths) =>
        string.Join("  ", cells.Select((c, i) => i == cells.Length - 1 ? c : (c.Length > widths[i] ? c[..(widths[i] - 1)] + "…" : c.PadRight(widths[i])))).TrimEnd();
}
