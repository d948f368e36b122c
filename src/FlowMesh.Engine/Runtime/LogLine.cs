namespace FlowMesh.Engine.Runtime;

public sealed record LogLine(DateTimeOffset At, string Stream, string Text);
