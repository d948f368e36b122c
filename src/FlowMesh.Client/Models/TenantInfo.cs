namespace FlowMesh.Client.Models;

/// <summary>A tenant and its quotas (0 = unlimited).</summary>
/// <param name="Id">Tenant id.</param>
/// <param name="IsSystem">True for the system tenant, whose admins manage tenants and nodes.</param>
/// <param name="MaxRunningTasks">Most tasks it may run at once; more wait with the reason shown.</param>
/// <param name="MaxGpus">Most GPUs its running tasks may hold at once.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="Weight">Its fair-share weight.</param>
/// <param name="BudgetGpuSeconds">GPU-seconds per budget period (0 = no budget).</param>
/// <param name="BudgetPeriodSeconds">The budget period in seconds.</param>
/// <param name="BudgetHard">Whether a spent budget holds new GPU work (true) or only flags it.</param>
public sealed record TenantInfo(string Id, bool IsSystem, int MaxRunningTasks, int MaxGpus, DateTimeOffset CreatedAt, double Weight = 1,
    double BudgetGpuSeconds = 0, long BudgetPeriodSeconds = 0, bool BudgetHard = true);
