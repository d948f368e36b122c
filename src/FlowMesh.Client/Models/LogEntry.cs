namespace FlowMesh.Client.Models;

/// <summary>One log line of a task.</summary>
/// <param name="Seq">The event that carried it (the cursor).</param>
/// <param name="Task">The task that wrote it.</param>
/// <param name="At">When the executor wrote it.</param>
/// <param name="Stream">stdout or stderr.</param>
/// <param name="Text">The line.</param>
public sealed record LogEntry(long Seq, string Task, DateTimeOffset At, string Stream, string Text);
