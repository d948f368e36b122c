namespace FlowMesh.Client.Models;

/// <summary>A page of events after a cursor.</summary>
/// <param name="Items">Events in sequence order.</param>
/// <param name="NextCursor">The last sequence number returned (or the cursor given when none were).</param>
/// <param name="Finished">True when the workflow has ended and this page reaches the end of its stream.</param>
public sealed record EventPage(IReadOnlyList<EventInfo> Items, long NextCursor, bool Finished);
