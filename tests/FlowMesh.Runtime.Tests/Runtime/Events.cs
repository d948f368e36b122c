using System.Text.Json.Nodes;
using FlowMesh.Abstractions;

namespace FlowMesh.Runtime.Tests.Runtime;

/// <summary>Reads a workflow's event log the way a watcher would.</summary>
internal static class Events
{
    public static string? Field(WorkflowEvent e, string name) => JsonNode.Parse(e.Data)?[name]?.ToString();

    /// <summary>Each task's state changes, in log order.</summary>
    public static Dictionary<string, List<string>> TaskStates(IEnumerable<WorkflowEvent> events) =>
        events.Where(e => e.Kind == EventKinds.TaskState && e.Task is not null)
            .GroupBy(e => e.Task!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(e => Field(e, "state")!).ToList(), StringComparer.Ordinal);

    public static int Terminals(List<string> states) => states.Count(s => s is "Succeeded" or "Failed" or "Skipped" or "Cancelled");

    public static void AssertGapFree(List<WorkflowEvent> events)
    {
        for (var i = 0; i < events.Count; i++)
        {
            Assert.Equal(i + 1, events[i].Seq);
        }
    }
}
