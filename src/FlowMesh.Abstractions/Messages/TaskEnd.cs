namespace FlowMesh.Abstractions;

/// <summary>
/// How an attempt ended, as the task grain decided it: <paramref name="State"/> is terminal, or
/// <see cref="TaskState.Ready"/> when the task will run again (a retry, a lost lease) with <paramref name="Reason"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("fm.TaskEnd")]
public sealed record TaskEnd(
    [property: Id(0)] int Index,
    [property: Id(1)] int Attempt,
    [property: Id(2)] TaskState State,
    [property: Id(3)] string? ResultJson,
    [property: Id(4)] string? Error,
    [property: Id(5)] string? Reason)
{
    /// <summary>The attempt's last log lines (those not sent while it ran): logged just before the outcome.</summary>
    [Id(6)]
    public LogEntry[] Logs { get; init; } = [];

    /// <summary>
    /// Set when the attempts were spent and the task switched to its <c>fallback</c>, of this task type: the next
    /// attempt runs the fallback (<see cref="State"/> is <see cref="TaskState.Ready"/>, <see cref="Error"/> what failed).
    /// </summary>
    [Id(7)]
    public string? FallbackType { get; init; }
}
