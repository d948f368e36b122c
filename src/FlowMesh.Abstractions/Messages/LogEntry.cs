namespace FlowMesh.Abstractions;

/// <summary>One line an executor wrote, stamped by the node.</summary>
[GenerateSerializer, Immutable, Alias("fm.LogEntry")]
public sealed record LogEntry([property: Id(0)] DateTimeOffset At, [property: Id(1)] string Stream, [property: Id(2)] string Text);
