namespace FlowMesh.Abstractions;

/// <summary>An attempt a node is running.</summary>
[GenerateSerializer, Immutable, Alias("fm.RunningAttempt")]
public readonly record struct RunningAttempt([property: Id(0)] TaskRef Task, [property: Id(1)] int Attempt);
