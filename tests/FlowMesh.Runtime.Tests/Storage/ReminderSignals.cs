using System.Collections.Concurrent;

namespace FlowMesh.Runtime.Tests.Storage;

/// <summary>
/// Where <see cref="ReminderProbeGrain"/> reports its ticks, keyed by grain key so tests running at once never see each
/// other's: a test arms the key, then awaits the silo that delivered the next tick.
/// </summary>
internal static class ReminderSignals
{
    private static readonly ConcurrentDictionary<string, TaskCompletionSource<SiloAddress>> Waiting = new(StringComparer.Ordinal);

    /// <summary>Completes with the silo of the first tick for <paramref name="key"/> after this call.</summary>
    public static Task<SiloAddress> Arm(string key)
    {
        var signal = new TaskCompletionSource<SiloAddress>(TaskCreationOptions.RunContinuationsAsynchronously);
        Waiting[key] = signal;
        return signal.Task;
    }

    public static void Fire(string key, SiloAddress silo)
    {
        if (Waiting.TryRemove(key, out var signal))
        {
            signal.TrySetResult(silo);
        }
    }
}
