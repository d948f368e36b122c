namespace FlowMesh.Abstractions;

/// <summary>
/// A tenant's share of the cluster and its limits; 0 means unlimited (or, for the budget, none). Budget periods are
/// aligned to the Unix epoch, as the engine's were, so every silo agrees when one rolls over.
/// </summary>
/// <param name="Weight">Its share against other tenants with work waiting (weighted fair share); 1 by default.</param>
/// <param name="MaxRunningTasks">Most attempts it may run at once.</param>
/// <param name="MaxGpus">Most GPUs its running attempts may hold at once; a task asking for more never runs.</param>
/// <param name="BudgetGpuSeconds">GPU-seconds its finished attempts may use per period; 0: no budget.</param>
/// <param name="BudgetPeriodSeconds">The budget period in seconds; 0: no budget.</param>
/// <param name="BudgetHard">True: GPU tasks wait once the budget is spent; false: they run and each attempt is flagged.</param>
[GenerateSerializer, Immutable, Alias("fm.TenantSettings")]
public sealed record TenantSettings(
    [property: Id(0)] double Weight = 1,
    [property: Id(1)] int MaxRunningTasks = 0,
    [property: Id(2)] int MaxGpus = 0,
    [property: Id(3)] double BudgetGpuSeconds = 0,
    [property: Id(4)] long BudgetPeriodSeconds = 0,
    [property: Id(5)] bool BudgetHard = true)
{
    public static TenantSettings Default { get; } = new();

    /// <summary>True when a budget applies: both its amount and its period are set.</summary>
    public bool HasBudget => BudgetGpuSeconds > 0 && BudgetPeriodSeconds > 0;

    /// <summary>Throws <see cref="TenantSettingsException"/> for a weight that is not positive or a negative limit.</summary>
    public void Validate()
    {
        if (!double.IsFinite(Weight) || Weight <= 0)
        {
            throw new TenantSettingsException($"the weight must be a positive number, not {Weight}");
        }

        if (MaxRunningTasks < 0 || MaxGpus < 0)
        {
            throw new TenantSettingsException("the running-task and GPU quotas must not be negative (0 means unlimited)");
        }

        if (!double.IsFinite(BudgetGpuSeconds) || BudgetGpuSeconds < 0 || BudgetPeriodSeconds < 0)
        {
            throw new TenantSettingsException("the GPU-second budget and its period must not be negative (0 means none)");
        }
    }
}
