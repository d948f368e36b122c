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

    public void Validate()
    {
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
