namespace FlowMesh.Runtime.Tests.Storage;

[Alias("fm.tests.ICounterGrain")]
public interface ICounterGrain : IGrainWithStringKey
{
    [Alias("Get")]
    Task<CounterState> GetAsync();

    [Alias("Set")]
    Task SetAsync(int value, string note);
}
