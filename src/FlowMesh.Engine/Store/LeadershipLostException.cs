namespace FlowMesh.Engine.Store;

/// <summary>A cluster leader's transaction found that another replica has taken over: nothing of it is committed.</summary>
public sealed class LeadershipLostException(long term, long? current)
    : InvalidOperationException($"leadership term {term} is over (the cluster is at term {current?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"})")
{
    public long Term { get; } = term;
}
