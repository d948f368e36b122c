namespace FlowMesh.Engine.Runtime;

/// <summary>Work the engine did, counted so tests can prove ready tracking is linear without timing anything.</summary>
public sealed class EngineCounters
{
    private long _edgeVisits;
    private long _transitions;
    private long _commits;

    /// <summary>Dependency edges looked at while resolving readiness.</summary>
    public long EdgeVisits => Interlocked.Read(ref _edgeVisits);

    public long Transitions => Interlocked.Read(ref _transitions);

    public long Commits => Interlocked.Read(ref _commits);

    internal void Edge(long n = 1) => Interlocked.Add(ref _edgeVisits, n);

    internal void Transition() => Interlocked.Increment(ref _transitions);

    internal void Commit() => Interlocked.Increment(ref _commits);
}
