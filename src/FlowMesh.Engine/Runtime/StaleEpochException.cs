namespace FlowMesh.Engine.Runtime;

/// <summary>A node spoke with an epoch the server no longer honours (it was lost, left or registered again).</summary>
public sealed class StaleEpochException(string message) : Exception(message);
