namespace FlowMesh.Runtime.Tests.Runtime;

internal static class Timeouts
{
    /// <summary>A bound on a whole scenario, so a broken runtime fails the test instead of hanging the run.</summary>
    public static CancellationToken Scenario(int seconds = 60) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;
}
