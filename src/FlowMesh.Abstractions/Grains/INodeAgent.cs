using Orleans.Concurrency;

namespace FlowMesh.Abstractions;

/// <summary>A node agent, as its node grain reaches it: an Orleans client's (or the embedded node's) grain observer.</summary>
public interface INodeAgent : IGrainObserver
{
    /// <summary>Run this attempt. Delivered at least once; the agent ignores an attempt it already runs.</summary>
    [OneWay]
    Task RunAsync(WorkAssignment assignment);

    /// <summary>Stop this attempt if it runs (a cancel, or the lease went elsewhere).</summary>
    [OneWay]
    Task StopAsync(TaskRef task, int attempt);
}
