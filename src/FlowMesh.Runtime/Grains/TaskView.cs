using System.Text.Json.Nodes;
using FlowMesh.Abstractions;

namespace FlowMesh.Runtime.Grains;

/// <summary>A task as its workflow grain tracks it: rebuilt from the plan and the event log on activation.</summary>
internal sealed class TaskView(int index, TaskPlan plan)
{
    public int Index { get; } = index;

    /// <summary>Replaced when a map fans out: the join then also depends on its items.</summary>
    public TaskPlan Plan { get; set; } = plan;

    /// <summary>The plan's type, or the fallback's once the task switched to it.</summary>
    public string TaskType { get; set; } = plan.TaskType;

    public bool UsingFallback { get; set; }

    public List<int> Dependents { get; } = [];

    public TaskState State { get; set; } = TaskState.Pending;

    public int Attempt { get; set; }

    public string? NodeId { get; set; }

    public string? Error { get; set; }

    /// <summary>Upstream tasks not yet succeeded or skipped.</summary>
    public int PendingDeps { get; set; }

    /// <summary>The result, kept for dependents' references and conditions.</summary>
    public JsonNode? Result { get; set; }

    public bool IsTerminal => StateMachines.Task.IsTerminal(State);

    public TaskSnapshot Snapshot() => new(Index, Plan.Name, TaskType, State, Attempt, NodeId, Error);
}
