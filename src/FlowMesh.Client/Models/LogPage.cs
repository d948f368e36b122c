namespace FlowMesh.Client.Models;

/// <summary>A page of log lines after a cursor.</summary>
/// <param name="Entries">The lines in order.</param>
/// <param name="NextCursor">Pass as <c>cursor</c> to continue.</param>
/// <param name="Finished">True when the workflow has ended and no more lines will come.</param>
public sealed record LogPage(IReadOnlyList<LogEntry> Entries, long NextCursor, bool Finished);
