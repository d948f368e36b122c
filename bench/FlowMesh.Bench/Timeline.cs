using System.Text.Json;

namespace FlowMesh.Bench;

/// <summary>
/// When each task of a finished workflow became ready, was placed, started on its node and finished, read back from the
/// workflow's event log: the engine stamps state changes, and the node stamps each log line when the executor writes it.
/// </summary>
internal sealed class Timeline
{
    private readonly Dictionary<string, TaskTimes> _tasks = new(StringComparer.Ordinal);

    public void Add(DateTimeOffset at, string kind, string? task, string data)
    {
        if (task is null)
        {
            return;
        }

        var times = _tasks.TryGetValue(task, out var t) ? t : _tasks[task] = new TaskTimes();
        using var doc = JsonDocument.Parse(data);
        var root = doc.RootElement;
        if (kind == "task.state")
        {
            switch (root.GetProperty("state").GetString())
            {
                case "Ready": times.Ready ??= at; break;
                case "Running": times.Placed ??= at; break;
                case "Succeeded" or "Failed": times.Finished = at; break;
            }
        }
        else if (kind == "task.log" && times.Started is null && root.GetProperty("lines") is { ValueKind: JsonValueKind.Array } lines && lines.GetArrayLength() > 0)
        {
            times.Started = lines[0].GetProperty("at").GetDateTimeOffset();
        }
    }

    /// <summary>Ready to running on the node (the executor's first line), in milliseconds, one sample a task.</summary>
    public IEnumerable<double> DispatchMs() =>
        _tasks.Values.Where(t => t.Ready is not null && t.Started is not null).Select(t => (t.Started!.Value - t.Ready!.Value).TotalMilliseconds);

    /// <summary>Ready to placed by the scheduler (engine side only), in milliseconds.</summary>
    public IEnumerable<double> PlaceMs() =>
        _tasks.Values.Where(t => t.Ready is not null && t.Placed is not null).Select(t => (t.Placed!.Value - t.Ready!.Value).TotalMilliseconds);

    /// <summary>For stages s0, s1, …: start of each stage minus start of the one before it, in milliseconds.</summary>
    public IEnumerable<double> HopMs()
    {
        for (var i = 1; _tasks.TryGetValue($"s{i}", out var next) && _tasks.TryGetValue($"s{i - 1}", out var previous); i++)
        {
            if (next.Started is { } b && previous.Started is { } a)
            {
                yield return (b - a).TotalMilliseconds;
            }
        }
    }

    public int Succeeded => _tasks.Values.Count(t => t.Finished is not null);

    private sealed class TaskTimes
    {
        public DateTimeOffset? Ready { get; set; }

        public DateTimeOffset? Placed { get; set; }

        public DateTimeOffset? Started { get; set; }

        public DateTimeOffset? Finished { get; set; }
    }
}
