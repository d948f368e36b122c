namespace FlowMesh.Server.Cluster;

/// <summary>
/// The leader's clock: this machine's monotonic time, set to the database's clock when the term began. Leases and
/// heartbeats are stamped and compared on it, so a new leader on a machine whose clock is off reads them right.
/// </summary>
internal sealed class DatabaseClock(TimeProvider inner, TimeSpan offset) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => inner.GetUtcNow() + offset;

    public override long GetTimestamp() => inner.GetTimestamp();

    public override long TimestampFrequency => inner.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => inner.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) => inner.CreateTimer(callback, state, dueTime, period);
}
