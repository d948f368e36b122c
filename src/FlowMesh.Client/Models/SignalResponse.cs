namespace FlowMesh.Client.Models;

/// <summary>The gate's decision after a signal: the same answer for the first signal and for any repeat of it.</summary>
/// <param name="Decision"><c>approved</c> or <c>rejected</c>.</param>
public sealed record SignalResponse(string Decision);
