using FlowMesh.Abstractions;

namespace FlowMesh.Runtime.Tenants;

/// <summary>A tenant grain's durable state.</summary>
[GenerateSerializer, Alias("fm.TenantRecord")]
public sealed class TenantRecord
{
    [Id(0)]
    public TenantSettings Settings { get; set; } = TenantSettings.Default;

    /// <summary>Grows with every change, so the placement grain keeps the newest of two views.</summary>
    [Id(1)]
    public long Version { get; set; }

    /// <summary>Where the period <see cref="GpuSeconds"/> counts began.</summary>
    [Id(2)]
    public DateTimeOffset PeriodStart { get; set; } = DateTimeOffset.MinValue;

    [Id(3)]
    public double GpuSeconds { get; set; }

    /// <summary>When the latest counted attempt finished: whether usage already belongs to a period that just began.</summary>
    [Id(4)]
    public DateTimeOffset? LastFinishedAt { get; set; }

    /// <summary>The keys (task#attempt) of the last attempts counted, oldest first: a re-sent record is not counted twice.</summary>
    [Id(5)]
    public List<string> Counted { get; set; } = [];

    [Id(6)]
    public List<TenantUsageRecord> Recent { get; set; } = [];

    [Id(7)]
    public List<TenantOverBudget> OverBudget { get; set; } = [];
}
