namespace FlowMesh.Engine.Scheduling;

/// <summary>One tenant's ready tasks in order, and what its running tasks hold.</summary>
internal sealed class TenantQueue(string tenant)
{
    public string Tenant { get; } = tenant;

    public SortedSet<QueuedTask> Entries { get; } = new(QueueOrder.Instance);

    public TenantUsage Usage { get; set; }
}
