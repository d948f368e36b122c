namespace FlowMesh.Runtime.Tests.Storage;

/// <summary>A grain whose state and reminder live in the Redis grain storage and reminder table.</summary>
public interface IRedisProbeGrain : IGrainWithStringKey
{
    Task SetAsync(string value);

    Task<string?> GetAsync();

    Task RegisterReminderAsync(string name);

    Task<bool> HasReminderAsync(string name);
}
