using System.Text.Json.Nodes;
using FlowMesh.Abstractions;
using FlowMesh.Workflows;

namespace FlowMesh.Engine.Actors;

/// <summary>In-memory image of one task row; it changes only through <see cref="MoveTo"/>, which the store mirrors.</summary>
internal sealed class TaskActor(int index, string name, string taskType, JsonObject spec, int[] deps, ResourceRequest resources, TaskCondition? condition)
{
    public int Index { get; } = index;

    public string Name { get; } = name;

    public string TaskType { get; private set; } = taskType;

    public JsonObject Spec { get; private set; } = spec;

    public int[] Deps { get; private set; } = deps;

    public List<int> Dependents { get; } = [];

    public ResourceRequest Resources { get; private set; } = resources;

    public TaskCondition? Condition { get; } = condition;

    /// <summary>Priority, node selector and model, read from the spec once.</summary>
    public Scheduling.TaskPlacement Placement { get; private set; } = Scheduling.TaskPlacement.Of(spec);

    /// <summary>Tasks with equal keys may run merged in one batch; null when the task may not (computed once).</summary>
    public string? MergeKey { get; set; }

    public bool MergeKeyKnown { get; set; }

    /// <summary>True once the task's fallback replaced its spec (its own attempts were exhausted).</summary>
    public bool UsingFallback { get; private set; }

    /// <summary>Nodes an attempt of this task failed on: placement tries other nodes first.</summary>
    public HashSet<string>? FailedOn { get; set; }

    /// <summary>When the task joined the ready queue; kept when it is put back at the head (a lost lease).</summary>
    public DateTimeOffset? QueuedSince { get; set; }

    /// <summary>The task's current place in the ready queue; an older entry left behind is dropped when the scheduler reaches it.</summary>
    public Scheduling.QueuedTask? QueueEntry { get; set; }

    public TaskState State { get; set; } = TaskState.Pending;

    public long Version { get; set; } = 1;

    public int Attempt { get; set; }

    public string? NodeId { get; set; }

    public string? Error { get; set; }

    public int PendingDeps { get; set; }

    /// <summary>Kept while dependents may still read it, then dropped so large workflows stay small in memory.</summary>
    public JsonNode? Result { get; set; }

    public bool HasResult { get; set; }

    public int UndispatchedDependents { get; set; }

    /// <summary>
    /// After a server restart, the GPUs a task still running on a remote node was given (from the store): the task is
    /// adopted with them when its node rejoins and reports it, before the grace lease runs out.
    /// </summary>
    public int[]? AdoptableGpus { get; set; }

    /// <summary>The GPUs (and, implicitly, CPU and memory) this task holds on the node while it runs.</summary>
    public int[]? Reservation { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    /// <summary>When the task last became ready (in this runner's memory): its queue time starts here.</summary>
    public DateTimeOffset? ReadyAt { get; set; }

    /// <summary>When a remote node's hold on this task runs out unless a heartbeat renews it; null on the embedded node.</summary>
    public DateTimeOffset? LeaseUntil { get; set; }

    /// <summary>Why a ready task is not placed yet (last note written to the store).</summary>
    public string? Waiting { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    public bool IsTerminal => State is TaskState.Succeeded or TaskState.Failed or TaskState.Skipped or TaskState.Cancelled;

    /// <summary>Runs the fallback from now on: only while the task holds no node (its resources change).</summary>
    public void UseFallback(JsonObject fallbackSpec, string fallbackType, ResourceRequest fallbackResources)
    {
        Spec = fallbackSpec;
        TaskType = fallbackType;
        Resources = fallbackResources;
        Placement = Scheduling.TaskPlacement.Of(fallbackSpec);
        UsingFallback = true;
    }

    /// <summary>A map task waits for the tasks it fanned out to, on top of its own dependencies.</summary>
    public void AddDeps(IEnumerable<int> more) => Deps = [.. Deps, .. more];

    public void MoveTo(TaskState to)
    {
        StateMachines.Task.Ensure(State, to);
        State = to;
        Version++;
    }
}
