using FlowMesh.Runtime.Hosting;

namespace FlowMesh.Runtime.Tests.Storage;

internal sealed class RedisProbeGrain([PersistentState("s", RuntimeNames.Storage)] IPersistentState<RedisProbeState> state)
    : Grain, IRedisProbeGrain, IRemindable
{
    public async Task SetAsync(string value)
    {
        state.State.Value = value;
        await state.WriteStateAsync();
    }

    public Task<string?> GetAsync() => Task.FromResult(state.State.Value);

    // Due in an hour: the test only needs the reminder stored, not fired.
    public Task RegisterReminderAsync(string name) =>
        this.RegisterOrUpdateReminder(name, TimeSpan.FromHours(1), TimeSpan.FromHours(1));

    public async Task<bool> HasReminderAsync(string name) => await this.GetReminder(name) is not null;

    public Task ReceiveReminder(string reminderName, TickStatus status) => Task.CompletedTask;
}
