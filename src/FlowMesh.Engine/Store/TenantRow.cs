namespace FlowMesh.Engine.Store;

/// <summary>A tenant and its quotas; 0 means unlimited. The system tenant's admins manage other tenants and the nodes.</summary>
/// <param name="Id">The tenant's id.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="IsSystem">True for the system tenant.</param>
/// <param name="MaxRunningTasks">Most tasks it may run at once.</param>
/// <param name="MaxGpus">Most GPUs its running tasks may hold at once.</param>
/// <param name="Weight">Its share of the cluster against other tenants with work waiting (fair share); 1 by default.</param>
/// <param name="BudgetGpuSeconds">GPU-seconds its finished attempts may use per budget period; 0: no budget.</param>
/// <param name="BudgetPeriodSeconds">The budget period, in seconds (periods are aligned to the Unix epoch).</param>
/// <param name="BudgetHard">True: GPU tasks wait once the budget is spent; false: they run and are flagged.</param>
public sealed record TenantRow(string Id, DateTimeOffset CreatedAt, bool IsSystem, int MaxRunningTasks, int MaxGpus,
    double Weight = 1, double BudgetGpuSeconds = 0, long BudgetPeriodSeconds = 0, bool BudgetHard = true);
