using FlowMesh.Abstractions;

namespace FlowMesh.Engine.Actors;

/// <summary>One workflow: its tasks, their dependency counters and the next event sequence number.</summary>
internal sealed class WorkflowActor(string id, string name, TaskActor[] tasks)
{
    private Dictionary<string, int>? _byName;

    public string Id { get; } = id;

    public string Name { get; } = name;

    public string Tenant { get; init; } = Store.StoreSchema.DefaultTenant;

    public TaskActor[] Tasks { get; private set; } = tasks;

    public WorkflowState State { get; set; } = WorkflowState.Pending;

    public long Version { get; set; } = 1;

    public long NextSeq { get; set; } = 1;

    public int TerminalCount { get; set; }

    public string? Error { get; set; }

    public TaskActor? Find(string name)
    {
        _byName ??= Tasks.ToDictionary(t => t.Name, t => t.Index, StringComparer.Ordinal);
        return _byName.TryGetValue(name, out var i) ? Tasks[i] : null;
    }

    /// <summary>Adds tasks made while it runs (a map's items); their indices follow the existing ones.</summary>
    public void Append(IReadOnlyList<TaskActor> more)
    {
        Tasks = [.. Tasks, .. more];
        _byName = null;
    }

    public void MoveTo(WorkflowState to)
    {
        StateMachines.Workflow.Ensure(State, to);
        State = to;
        Version++;
    }
}
