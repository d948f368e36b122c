namespace FlowMesh.Abstractions;

/// <summary>A tenant's settings and what it used in the current budget period, as its grain knows them.</summary>
/// <param name="Tenant">The tenant's name (its grain's key).</param>
/// <param name="Settings">Its settings; <see cref="TenantSettings.Default"/> until configured.</param>
/// <param name="Version">Grows with every change, so a reader keeps the newest of two views.</param>
/// <param name="PeriodStart">Where the current period began (for a tenant without a budget: since its usage was first counted).</param>
/// <param name="GpuSeconds">GPU-seconds of its attempts that finished since <paramref name="PeriodStart"/>.</param>
/// <param name="Recent">The last attempts counted, newest last (bounded).</param>
/// <param name="OverBudget">The last attempts placed over a soft budget, newest last (bounded).</param>
[GenerateSerializer, Immutable, Alias("fm.TenantView")]
public sealed record TenantView(
    [property: Id(0)] string Tenant,
    [property: Id(1)] TenantSettings Settings,
    [property: Id(2)] long Version,
    [property: Id(3)] DateTimeOffset PeriodStart,
    [property: Id(4)] double GpuSeconds,
    [property: Id(5)] TenantUsageRecord[] Recent,
    [property: Id(6)] TenantOverBudget[] OverBudget);
