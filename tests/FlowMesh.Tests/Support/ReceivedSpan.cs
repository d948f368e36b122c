namespace FlowMesh.Tests.Support;

/// <summary>A span as the test collector decoded it (ids in lower-case hex; times in Unix nanoseconds).</summary>
internal sealed record ReceivedSpan(string TraceId, string SpanId, string ParentSpanId, string Name, IReadOnlyDictionary<string, object?> Attributes, ulong StartNanos, ulong EndNanos);
