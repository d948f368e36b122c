namespace FlowMesh.Bench;

/// <summary>One run of a workload: wall time from the first submission to the last workflow's end, and latency samples.</summary>
internal sealed record RunResult(double WallSeconds, int Tasks, IReadOnlyList<double> DispatchMs, IReadOnlyList<double> PlaceMs, IReadOnlyList<double> HopMs)
{
    public double TasksPerSecond => Tasks / WallSeconds;
}
