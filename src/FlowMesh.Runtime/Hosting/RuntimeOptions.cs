namespace FlowMesh.Runtime.Hosting;

/// <summary>How the runtime's grains keep time: leases, heartbeats, and the reminder that revives unfinished workflows.</summary>
public sealed class RuntimeOptions
{
    /// <summary>A node silent this long loses what it runs: those attempts run again elsewhere.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often agents heartbeat; well inside <see cref="Lease"/>.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How often a running task asks its node grain whether the node still holds it.</summary>
    public TimeSpan LeaseCheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a queued task waits before it queues itself again, in case the placement grain moved with a silo and
    /// forgot it (a repeat of a queued attempt costs the placement grain a lookup).
    /// </summary>
    public TimeSpan RequeueInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The period of the reminder each unfinished workflow holds: after a silo dies, the reminder reactivates the
    /// workflow elsewhere, which re-syncs its tasks (their queue entries and lease checks lived in memory).
    /// </summary>
    public TimeSpan KeepAlivePeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long a task that no node which is up could ever run waits for one to join before it fails with why. Zero
    /// fails it at once (a one-shot run on this machine). Default 5 minutes.
    /// </summary>
    public TimeSpan UnplaceableTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Where executors write results (<c>results/WORKFLOW/TASK</c>) and scratch (<c>work/…</c>).</summary>
    public string DataDirectory { get; set; } = string.Empty;

    public void Validate()
    {
        if (UnplaceableTimeout < TimeSpan.Zero)
        {
            throw new RuntimeConfigurationException("the unplaceable timeout must not be negative");
        }

        if (Lease <= TimeSpan.Zero || HeartbeatInterval <= TimeSpan.Zero || LeaseCheckInterval <= TimeSpan.Zero || KeepAlivePeriod <= TimeSpan.Zero || RequeueInterval <= TimeSpan.Zero)
        {
            throw new RuntimeConfigurationException("lease, heartbeat, lease-check and keep-alive periods must be positive");
        }

        if (HeartbeatInterval * 2 > Lease)
        {
            throw new RuntimeConfigurationException($"the heartbeat interval ({HeartbeatInterval}) must be at most half the lease ({Lease})");
        }

        if (string.IsNullOrWhiteSpace(DataDirectory))
        {
            throw new RuntimeConfigurationException("the data directory is required");
        }
    }
}
