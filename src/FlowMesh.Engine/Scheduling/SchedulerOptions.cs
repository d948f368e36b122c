namespace FlowMesh.Engine.Scheduling;

/// <summary>How ready tasks are ordered and placed. Defaults suit a shared cluster.</summary>
public sealed class SchedulerOptions
{
    /// <summary>How a node is chosen among those that fit. Default <see cref="PlacementPolicy.BestFit"/>.</summary>
    public PlacementPolicy Policy { get; set; } = PlacementPolicy.BestFit;

    /// <summary>
    /// Waiting this long is worth one priority point (aging): a task of priority p runs no later than one of
    /// priority p + k that became ready k × this after it, so nothing waits forever behind higher priorities. Default 30 s.
    /// </summary>
    public TimeSpan AgingInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A task that has waited this long and still finds no room reserves the nodes that could run it: smaller tasks no
    /// longer fill the room it needs as it frees up. Default 5 minutes.
    /// </summary>
    public TimeSpan StarvationAfter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How many of one tenant's queued tasks a pass looks at past ones that cannot be placed now. Default 256.</summary>
    public int ScanDepth { get; set; } = 256;

    /// <summary>
    /// Most tasks merged into one batch (task merging): ready tasks of one tenant whose type is in
    /// <see cref="BatchTypes"/> and whose specs are equal except for their data items run as one execution on the node
    /// the first was placed on, and the result is split back per task. Default 8; 1 turns merging off.
    /// </summary>
    public int MaxBatch { get; set; } = 8;

    /// <summary>The task types that may be merged. Default inference, embedding, rag and diffusion.</summary>
    public ISet<string> BatchTypes { get; } = new HashSet<string>(["inference", "embedding", "rag", "diffusion"], StringComparer.Ordinal);

    public void Validate()
    {
        if (MaxBatch is < 1 or > 1024)
        {
            throw new ArgumentException("SchedulerOptions.MaxBatch must be in [1, 1024]");
        }

        if (AgingInterval <= TimeSpan.Zero || StarvationAfter <= TimeSpan.Zero)
        {
            throw new ArgumentException("SchedulerOptions: AgingInterval and StarvationAfter must be positive");
        }

        if (ScanDepth < 1)
        {
            throw new ArgumentException("SchedulerOptions.ScanDepth must be at least 1");
        }
    }
}
