namespace FlowMesh.Client.Models;

/// <summary>The caller's tenant at a glance: its workflows by state, the tasks of its unfinished workflows by state, and its quotas.</summary>
/// <param name="Tenant">The caller's tenant.</param>
/// <param name="Workflows">Workflow count by state (Pending, Running, Succeeded, Failed, Cancelled).</param>
/// <param name="Tasks">Tasks of unfinished workflows by state; Ready ones wait for a node (the queue).</param>
/// <param name="MaxRunningTasks">The tenant's quota of tasks running at once (0: unlimited).</param>
/// <param name="MaxGpus">The tenant's quota of GPUs held at once (0: unlimited).</param>
/// <param name="At">When the server read these figures.</param>
public sealed record OverviewInfo(string Tenant, IReadOnlyDictionary<string, long> Workflows, IReadOnlyDictionary<string, long> Tasks, int MaxRunningTasks, int MaxGpus,
    DateTimeOffset At);
