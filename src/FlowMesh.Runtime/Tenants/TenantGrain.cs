using FlowMesh.Abstractions;
using FlowMesh.Runtime.Hosting;

namespace FlowMesh.Runtime.Tenants;

/// <summary>
/// One tenant: its settings and this budget period's GPU-seconds. Not reentrant: a record and a roll-over never
/// interleave. Only a change is written; a roll-over seen on a read is recomputed by the next activation anyway.
/// </summary>
internal sealed class TenantGrain(
    [PersistentState("tenant", RuntimeNames.Storage)] IPersistentState<TenantRecord> record,
    TimeProvider time) : Grain, ITenantGrain
{
    private TenantLedger? _ledger;

    private TenantLedger Ledger => _ledger ??= new TenantLedger(record.State);

    private string Tenant => this.GetPrimaryKeyString();

    public async Task<TenantView> ConfigureAsync(TenantSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Ledger.Configure(settings, time.GetUtcNow());
        await WriteAsync();
        return Ledger.View(Tenant);
    }

    public Task<TenantView> GetAsync()
    {
        Ledger.Roll(time.GetUtcNow());
        return Task.FromResult(Ledger.View(Tenant));
    }

    public async Task<TenantView> RecordUsageAsync(TenantUsageRecord usage)
    {
        ArgumentNullException.ThrowIfNull(usage);
        if (Ledger.Count(usage, time.GetUtcNow()))
        {
            await WriteAsync();
        }

        return Ledger.View(Tenant);
    }

    public async Task FlagOverBudgetAsync(TenantOverBudget flag)
    {
        ArgumentNullException.ThrowIfNull(flag);
        if (Ledger.Flag(flag))
        {
            await WriteAsync();
        }
    }

    private async Task WriteAsync()
    {
        try
        {
            await record.WriteStateAsync();
        }
        catch
        {
            // Memory is ahead of storage now: start again from what was written (the caller re-sends, and a repeat of
            // what did land is not counted twice).
            DeactivateOnIdle();
            throw;
        }
    }
}
