using System.Diagnostics;
using System.Text.Json.Nodes;
using FlowMesh.Abstractions;
using FlowMesh.Engine.Store;

namespace FlowMesh.Cli;

/// <summary>
/// Live progress: on a terminal, a status line of tasks by state and elapsed time that redraws in place (finished
/// tasks scroll above it); otherwise plain lines, one per task state change, that logs and CI read well.
/// </summary>
internal sealed class ProgressView(bool plain, Stopwatch clock)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, TaskState> _states = new(StringComparer.Ordinal);
    private string? _workflowId;
    private int _lastWidth;

    public void Track(string workflowId, IEnumerable<(string Name, string State)> tasks)
    {
        lock (_gate)
        {
            _workflowId = workflowId;
            foreach (var (name, state) in tasks)
            {
                _states[name] = Enum.Parse<TaskState>(state);
            }

            Redraw();
        }
    }

    public void OnEvents(IReadOnlyList<EventRow> events)
    {
        lock (_gate)
        {
            foreach (var e in events)
            {
                if (_workflowId is not null && e.WorkflowId != _workflowId)
                {
                    continue;
                }

                if (e.Kind == "task.state" && e.Task is not null && JsonNode.Parse(e.Data) is JsonObject data)
                {
                    var state = Enum.Parse<TaskState>(data["state"]!.GetValue<string>());
                    _states[e.Task] = state;
                    var detail = data["error"]?.GetValue<string>() ?? data["reason"]?.GetValue<string>();
                    if (plain || state is not (TaskState.Ready or TaskState.Running))
                    {
                        Line($"{Stamp()} {e.Task}: {state.ToString().ToLowerInvariant()}{(detail is null ? string.Empty : $" ({detail})")}");
                    }
                }
                else if (e.Kind == "workflow.state" && plain && JsonNode.Parse(e.Data) is JsonObject wf)
                {
                    Line($"{Stamp()} workflow: {wf["state"]!.GetValue<string>().ToLowerInvariant()}");
                }
            }

            Redraw();
        }
    }

    public void Finish()
    {
        lock (_gate)
        {
            if (!plain && _lastWidth > 0)
            {
                Console.Write("\r" + new string(' ', _lastWidth) + "\r");
                _lastWidth = 0;
            }

            plain = true;
        }
    }

    private void Line(string text)
    {
        if (!plain && _lastWidth > 0)
        {
            Console.Write("\r" + new string(' ', _lastWidth) + "\r");
            _lastWidth = 0;
        }

        Console.WriteLine(text);
    }

    private void Redraw()
    {
        if (plain || _states.Count == 0)
        {
            return;
        }

        var counts = _states.Values.GroupBy(s => s).OrderBy(g => g.Key).Select(g => $"{g.Key.ToString().ToLowerInvariant()} {g.Count()}");
        var status = $"{Stamp()} {_states.Count} tasks: {string.Join(" · ", counts)}";
        Console.Write("\r" + status.PadRight(_lastWidth));
        _lastWidth = status.Length;
    }

    private string Stamp() => $"[{clock.Elapsed.TotalSeconds,7:0.00}s]";
}
