namespace FlowMesh.Abstractions;

/// <summary>
/// One tenant (keyed by its name): its weight, quotas and GPU-second budget, and the GPU-seconds its attempts used this
/// budget period. The placement grain caches what it reads here; a tenant never configured has the defaults.
/// </summary>
public interface ITenantGrain : IGrainWithStringKey
{
    /// <summary>Replaces the tenant's settings (durable when it returns); throws <see cref="TenantSettingsException"/> for invalid ones.</summary>
    Task<TenantView> ConfigureAsync(TenantSettings settings);

    /// <summary>The settings and this period's usage (a period that ended is rolled over first).</summary>
    Task<TenantView> GetAsync();

    /// <summary>Counts one finished attempt's GPU-seconds; a repeat of a recent (task, attempt) is not counted again.</summary>
    Task<TenantView> RecordUsageAsync(TenantUsageRecord usage);

    /// <summary>Notes a GPU attempt placed over the tenant's soft budget; a repeat of a recent (task, attempt) is kept once.</summary>
    Task FlagOverBudgetAsync(TenantOverBudget flag);
}
