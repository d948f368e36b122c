namespace FlowMesh.Runtime.Tests.Storage;

/// <summary>A grain whose state lives in the SQLite storage under the provider name FlowMesh's grains use.</summary>
public sealed class CounterGrain([PersistentState("s", "flowmesh")] IPersistentState<CounterState> state) : Grain, ICounterGrain
{
    public Task<CounterState> GetAsync() => Task.FromResult(state.State);

    public async Task SetAsync(int value, string note)
    {
        state.State.Value = value;
        state.State.Note = note;
        await state.WriteStateAsync();
    }
}
