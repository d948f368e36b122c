using System.Text.Json.Nodes;
using FlowMesh.Abstractions;

namespace FlowMesh.Runtime.Grains;

/// <summary>Notes placement adds to the log: why a ready task waits, and attempts placed over a soft budget.</summary>
internal sealed partial class WorkflowGrain
{
    /// <summary>The last waiting reason logged per task (memory only: after a move, a repeat is logged once more).</summary>
    private readonly Dictionary<int, string> _waitingNoted = [];

    /// <summary>Attempts already flagged over budget.</summary>
    private readonly HashSet<(int Index, int Attempt)> _overBudgetNoted = [];

    public async Task TaskWaitingAsync(int index, int attempt, string reason)
    {
        if (Plan is null || index < 0 || index >= _tasks.Length || _tasks[index].State != TaskState.Ready
            || (_waitingNoted.TryGetValue(index, out var last) && last == reason))
        {
            return;
        }

        _waitingNoted[index] = reason;
        NoteWaiting(_tasks[index], reason);
        await _log.FlushAsync();
    }

    public async Task TaskOverBudgetAsync(int index, int attempt, string reason)
    {
        if (Plan is null || index < 0 || index >= _tasks.Length || !_overBudgetNoted.Add((index, attempt)))
        {
            return;
        }

        _log.Append(EventKinds.TaskOverBudget, _tasks[index].Plan.Name, new JsonObject { ["reason"] = reason, ["attempt"] = attempt });
        await _log.FlushAsync();
    }
}
