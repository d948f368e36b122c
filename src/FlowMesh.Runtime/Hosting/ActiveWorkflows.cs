using System.Collections.Concurrent;

namespace FlowMesh.Runtime.Hosting;

/// <summary>The workflow grains active on this silo, so that a silo's death can be answered by re-syncing them.</summary>
internal sealed class ActiveWorkflows
{
    private readonly ConcurrentDictionary<string, byte> _ids = new(StringComparer.Ordinal);

    public void Add(string id) => _ids.TryAdd(id, 0);

    public void Remove(string id) => _ids.TryRemove(id, out _);

    public IReadOnlyCollection<string> Snapshot() => [.. _ids.Keys];
}
