namespace FlowMesh.Client.Models;

/// <summary>Creates a tenant.</summary>
/// <param name="Id">Lower-case letters, digits and dashes, 2 to 40 characters.</param>
/// <param name="MaxRunningTasks">Quota on running tasks (0 = unlimited).</param>
/// <param name="MaxGpus">Quota on GPUs held (0 = unlimited).</param>
/// <param name="Weight">Its fair share against other tenants with work waiting (weighted dominant-resource fairness); default 1.</param>
/// <param name="BudgetGpuSeconds">GPU-seconds it may use per budget period (0 = no budget).</param>
/// <param name="BudgetPeriodSeconds">The budget period in seconds, e.g. 86400 for a day (periods are aligned to UTC midnight for whole days).</param>
/// <param name="BudgetHard">True: once the budget is spent, new GPU tasks wait with the reason; false: they run and are flagged.</param>
public sealed record CreateTenantRequest(string Id, int MaxRunningTasks = 0, int MaxGpus = 0, double Weight = 1, double BudgetGpuSeconds = 0,
    long BudgetPeriodSeconds = 0, bool BudgetHard = true);
