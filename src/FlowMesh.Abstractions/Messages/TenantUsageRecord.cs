namespace FlowMesh.Abstractions;

/// <summary>
/// What one finished attempt held: its GPUs from placement to release. A tenant grain counts it once per
/// (<see cref="Task"/>, <see cref="Attempt"/>), toward the budget period in which it finished.
/// </summary>
[GenerateSerializer, Immutable, Alias("fm.TenantUsageRecord")]
public sealed record TenantUsageRecord(
    [property: Id(0)] TaskRef Task,
    [property: Id(1)] int Attempt,
    [property: Id(2)] string NodeId,
    [property: Id(3)] int Gpus,
    [property: Id(4)] DateTimeOffset StartedAt,
    [property: Id(5)] DateTimeOffset FinishedAt)
{
    /// <summary>GPUs times seconds held; never negative, even if two silos' clocks disagree.</summary>
    public double GpuSeconds => Gpus * Math.Max(0, (FinishedAt - StartedAt).TotalSeconds);

    /// <summary>What makes a repeat of this record a repeat.</summary>
    public string Key => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Task.Key}#{Attempt}");
}
