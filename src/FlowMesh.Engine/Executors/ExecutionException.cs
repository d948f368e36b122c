namespace FlowMesh.Engine.Executors;

/// <summary>A task-level failure with a message for the user (bad reference, missing emit, non-zero exit).</summary>
public sealed class ExecutionException(string message) : Exception(message);
