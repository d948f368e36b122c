using FlowMesh.Abstractions;
using FlowMesh.Runtime.Tests.Runtime;

namespace FlowMesh.Runtime.Tests.Control;

/// <summary>Waits on a workflow's log, never on the clock (the scenario's token bounds every wait).</summary>
internal static class Watch
{
    /// <summary>Reads the log from the start until an event matches; returns what it read, the match last.</summary>
    public static async Task<List<WorkflowEvent>> UntilAsync(RuntimeCluster cluster, string id, Func<WorkflowEvent, bool> match, CancellationToken cancellationToken)
    {
        var seen = new List<WorkflowEvent>();
        await foreach (var e in cluster.Client.WatchAsync(id, 0, cancellationToken))
        {
            seen.Add(e);
            if (match(e))
            {
                return seen;
            }
        }

        throw new InvalidOperationException($"workflow {id} ended before the awaited event; last: {seen.LastOrDefault()}");
    }

    /// <summary>Calls until the call goes through: right after a silo is killed, calls to its grains fail until it is declared dead.</summary>
    public static async Task<T> ThroughAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return await call().WaitAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is OrleansException or TimeoutException && !cancellationToken.IsCancellationRequested)
            {
                await Task.Yield();
            }
        }
    }

    public static bool IsTaskState(WorkflowEvent e, string task, string state) =>
        e.Kind == EventKinds.TaskState && e.Task == task && Events.Field(e, "state") == state;

    /// <summary>Activates the workflow grain of a fresh id on a silo other than the first, so a test may kill it there.</summary>
    public static async Task<(string Id, Orleans.TestingHost.SiloHandle Silo)> IdOffThePrimaryAsync(RuntimeCluster cluster)
    {
        var management = cluster.Cluster.Client.GetGrain<IManagementGrain>(0);
        for (var i = 0; i < 200; i++)
        {
            var id = $"wf-control-{Guid.NewGuid():N}";
            var grain = cluster.Cluster.Client.GetGrain<IWorkflowGrain>(id);
            _ = await grain.GetAsync();
            var address = await management.GetActivationAddress(grain);
            if (cluster.Cluster.Silos.Skip(1).FirstOrDefault(s => s.SiloAddress.Equals(address)) is { } silo)
            {
                return (id, silo);
            }
        }

        throw new InvalidOperationException("no workflow grain landed off the primary silo in 200 tries");
    }
}
