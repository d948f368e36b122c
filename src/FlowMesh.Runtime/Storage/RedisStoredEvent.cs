using System.Text.Json.Serialization;

namespace FlowMesh.Runtime.Storage;

/// <summary>
/// One member of a workflow's sorted set. Kept apart from <see cref="FlowMesh.Abstractions.WorkflowEvent"/> so the
/// stored shape (short names, read back by every later version) does not change when the record does.
/// </summary>
internal sealed record RedisStoredEvent(
    [property: JsonPropertyName("w")] string WorkflowId,
    [property: JsonPropertyName("s")] long Seq,
    [property: JsonPropertyName("at")] DateTimeOffset At,
    [property: JsonPropertyName("k")] string Kind,
    [property: JsonPropertyName("t")] string? Task,
    [property: JsonPropertyName("d")] string Data);
