namespace FlowMesh.Runtime.Tests.Storage;

internal sealed class ReminderProbeGrain(ILocalSiloDetails silo) : Grain, IReminderProbeGrain, IRemindable
{
    public const string ReminderName = "probe";

    public Task StartAsync(TimeSpan period) => this.RegisterOrUpdateReminder(ReminderName, period, period);

    // The silo's address says which cluster delivered the tick: a restarted one has a new generation.
    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        ReminderSignals.Fire(this.GetPrimaryKeyString(), silo.SiloAddress);
        return Task.CompletedTask;
    }
}
