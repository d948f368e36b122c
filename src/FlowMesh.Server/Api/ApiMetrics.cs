using System.Collections.Concurrent;

namespace FlowMesh.Server.Api;

/// <summary>HTTP answers counted by status code for /metrics.</summary>
internal sealed class ApiMetrics
{
    private readonly ConcurrentDictionary<int, long> _responses = new();

    public void Count(int status) => _responses.AddOrUpdate(status, 1, (_, n) => n + 1);

    public IEnumerable<(int Code, long Count)> Snapshot() => _responses.OrderBy(kv => kv.Key).Select(kv => (kv.Key, kv.Value));
}
