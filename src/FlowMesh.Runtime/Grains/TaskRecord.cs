using FlowMesh.Abstractions;

namespace FlowMesh.Runtime.Grains;

/// <summary>A task grain's durable state.</summary>
[GenerateSerializer, Alias("fm.TaskRecord")]
public sealed class TaskRecord
{
    /// <summary>What to run; null until the workflow makes the task ready.</summary>
    [Id(0)]
    public TaskWork? Work { get; set; }

    [Id(1)]
    public TaskState State { get; set; } = TaskState.Pending;

    /// <summary>The current (or last) attempt: the fencing epoch. The next placement is attempt + 1.</summary>
    [Id(2)]
    public int Attempt { get; set; }

    [Id(3)]
    public string? NodeId { get; set; }

    [Id(4)]
    public int[] Gpus { get; set; } = [];

    /// <summary>A failed attempt waits until then before it is queued again.</summary>
    [Id(5)]
    public DateTimeOffset? RetryAt { get; set; }

    [Id(6)]
    public List<string> FailedOn { get; set; } = [];

    [Id(7)]
    public string? Error { get; set; }

    /// <summary>An outcome the workflow has not acknowledged yet: re-sent on activation until it has.</summary>
    [Id(8)]
    public TaskEnd? Unacked { get; set; }

    [Id(9)]
    public DateTimeOffset? ReadySince { get; set; }

    /// <summary>The attempt and node of the last accepted report: a repeat of it is answered Duplicate, not Stale.</summary>
    [Id(10)]
    public int ReportedAttempt { get; set; }

    [Id(11)]
    public string? ReportedNode { get; set; }

    [Id(12)]
    public ResourceShape? PlacedResources { get; set; }

    /// <summary>
    /// The workflow is paused: the task is not placed and does not queue itself. Durable, so a grain that moves with
    /// a dead silo does not re-queue itself on activation while its workflow is paused.
    /// </summary>
    [Id(13)]
    public bool Held { get; set; }

    /// <summary>The workflow's log entry of the last pause or resume this grain applied: older ones change nothing.</summary>
    [Id(14)]
    public long HoldSeq { get; set; }

    /// <summary>The attempts were spent and <see cref="Work"/> is now the task's fallback: it runs once.</summary>
    [Id(15)]
    public bool UsingFallback { get; set; }
}
