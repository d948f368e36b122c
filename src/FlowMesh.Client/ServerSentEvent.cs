namespace FlowMesh.Client;

/// <summary>One server-sent event as it came over the wire.</summary>
/// <param name="Id">The <c>id:</c> field (the event's sequence number), if any.</param>
/// <param name="Event">The <c>event:</c> field.</param>
/// <param name="Data">The <c>data:</c> field (lines joined with newlines).</param>
public sealed record ServerSentEvent(string? Id, string Event, string Data);
