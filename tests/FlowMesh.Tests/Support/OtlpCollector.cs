using System.IO.Compression;
using System.Net;
using System.Text;

namespace FlowMesh.Tests.Support;

/// <summary>
/// A local OTLP/HTTP collector of the test's own: it takes <c>POST /v1/traces</c> (protobuf), decodes the spans with
/// a small wire-format reader (trace, span and parent ids, name, attributes, times) and counts metric exports.
/// </summary>
internal sealed class OtlpCollector : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly List<ReceivedSpan> _spans = [];
    private readonly Task _loop;
    private TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public OtlpCollector()
    {
        Endpoint = new Uri($"http://127.0.0.1:{Ports.FreeLoopback()}/");
        _listener.Prefixes.Add(Endpoint.ToString());
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public Uri Endpoint { get; }

    /// <summary>Non-empty OTLP metric exports received so far.</summary>
    public int MetricExports { get; private set; }

    public IReadOnlyList<ReceivedSpan> Spans
    {
        get
        {
            lock (_spans)
            {
                return [.. _spans];
            }
        }
    }

    /// <summary>Waits (on arrivals, not on a clock tick) until the spans received satisfy <paramref name="done"/>.</summary>
    public Task<IReadOnlyList<ReceivedSpan>> WaitForAsync(Func<IReadOnlyList<ReceivedSpan>, bool> done, TimeSpan timeout) => WaitForAsync((spans, _) => done(spans), timeout);

    /// <summary>Waits until the spans and the count of metric exports received satisfy <paramref name="done"/>.</summary>
    public async Task<IReadOnlyList<ReceivedSpan>> WaitForAsync(Func<IReadOnlyList<ReceivedSpan>, int, bool> done, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            Task next;
            lock (_spans)
            {
                if (done(_spans, MetricExports))
                {
                    return [.. _spans];
                }

                next = _arrived.Task;
            }

            try
            {
                await next.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"the collector got {Spans.Count} spans, not what was awaited: {string.Join(", ", Spans.Select(s => s.Name))}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        await _loop;
        _listener.Close();
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext ctx;
            try
            {
                ctx = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            using var body = new MemoryStream();
            var input = ctx.Request.Headers["Content-Encoding"] == "gzip" ? new GZipStream(ctx.Request.InputStream, CompressionMode.Decompress) : ctx.Request.InputStream;
            await input.CopyToAsync(body);
            var spans = ctx.Request.Url!.AbsolutePath == "/v1/traces" ? Decode(body.ToArray()) : [];
            lock (_spans)
            {
                _spans.AddRange(spans);
                MetricExports += ctx.Request.Url.AbsolutePath == "/v1/metrics" && body.Length > 0 ? 1 : 0;
                var arrived = _arrived;
                _arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                arrived.SetResult();
            }

            ctx.Response.StatusCode = 200;
            ctx.Response.ContentType = "application/x-protobuf";
            ctx.Response.Close();
        }
    }

    // ExportTraceServiceRequest { 1: ResourceSpans { 2: ScopeSpans { 2: Span } } }.
    private static List<ReceivedSpan> Decode(byte[] request)
    {
        var spans = new List<ReceivedSpan>();
        foreach (var (field, resourceSpans) in Fields(request))
        {
            if (field != 1)
            {
                continue;
            }

            foreach (var (f2, scopeSpans) in Fields(resourceSpans.Bytes))
            {
                if (f2 != 2)
                {
                    continue;
                }

                foreach (var (f3, span) in Fields(scopeSpans.Bytes))
                {
                    if (f3 == 2)
                    {
                        spans.Add(Span(span.Bytes));
                    }
                }
            }
        }

        return spans;
    }

    // Span { 1 trace_id, 2 span_id, 4 parent_span_id, 5 name, 7 start (fixed64), 8 end (fixed64), 9 attributes: KeyValue }.
    private static ReceivedSpan Span(byte[] bytes)
    {
        string trace = string.Empty, id = string.Empty, parent = string.Empty, name = string.Empty;
        ulong start = 0, end = 0;
        var attributes = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (field, value) in Fields(bytes))
        {
            switch (field)
            {
                case 1: trace = Convert.ToHexStringLower(value.Bytes); break;
                case 2: id = Convert.ToHexStringLower(value.Bytes); break;
                case 4: parent = Convert.ToHexStringLower(value.Bytes); break;
                case 5: name = Encoding.UTF8.GetString(value.Bytes); break;
                case 7: start = value.Number; break;
                case 8: end = value.Number; break;
                case 9:
                    string? key = null;
                    object? attribute = null;
                    foreach (var (kf, kv) in Fields(value.Bytes))
                    {
                        if (kf == 1)
                        {
                            key = Encoding.UTF8.GetString(kv.Bytes);
                        }
                        else if (kf == 2)
                        {
                            // AnyValue { 1 string, 2 bool, 3 int64, 4 double }.
                            foreach (var (af, av) in Fields(kv.Bytes))
                            {
                                attribute = af switch
                                {
                                    1 => Encoding.UTF8.GetString(av.Bytes),
                                    2 => av.Number != 0,
                                    3 => (long)av.Number,
                                    4 => BitConverter.Int64BitsToDouble((long)av.Number),
                                    _ => attribute,
                                };
                            }
                        }
                    }

                    if (key is not null)
                    {
                        attributes[key] = attribute;
                    }

                    break;
            }
        }

        return new ReceivedSpan(trace, id, parent, name, attributes, start, end);
    }

    private static IEnumerable<(int Field, (byte[] Bytes, ulong Number) Value)> Fields(byte[] data)
    {
        var i = 0;
        while (i < data.Length)
        {
            var tag = Varint(data, ref i);
            var field = (int)(tag >> 3);
            switch ((int)(tag & 7))
            {
                case 0:
                    yield return (field, ([], Varint(data, ref i)));
                    break;
                case 1:
                    yield return (field, ([], BitConverter.ToUInt64(data, i)));
                    i += 8;
                    break;
                case 2:
                    var length = (int)Varint(data, ref i);
                    yield return (field, (data[i..(i + length)], 0));
                    i += length;
                    break;
                case 5:
                    yield return (field, ([], BitConverter.ToUInt32(data, i)));
                    i += 4;
                    break;
                default:
                    throw new InvalidDataException($"unexpected wire type in field {field}");
            }
        }
    }

    private static ulong Varint(byte[] data, ref int i)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = data[i++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
    }
}
