using System.Text;
using System.Text.Json.Nodes;
using FlowMesh.Engine.Store;
using FlowMesh.Server.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;

namespace FlowMesh.Server.Api;

/// <summary>
/// Server-sent events over a workflow's ordered event log. Each event carries its sequence number as <c>id:</c>, so a
/// client that reconnects with <c>Last-Event-ID</c> gets every later event exactly once, in order. Idle streams get a
/// <c>: keep-alive</c> comment; a finished workflow ends its stream with an <c>eos</c> event.
/// </summary>
internal sealed class EventStreamer(StoreAccess stores, EventPulse pulse, ServerOptions options, IHostApplicationLifetime lifetime)
{
    private const int Batch = 1000;

    public static long Cursor(HttpContext http, long? cursor)
    {
        var header = http.Request.Headers["Last-Event-ID"].ToString();
        if (header.Length > 0)
        {
            return long.TryParse(header, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seq)
                ? seq
                : throw new ApiException(400, "invalid_cursor", "Last-Event-ID must be an event sequence number", "Last-Event-ID");
        }

        return cursor is < 0 ? throw new ApiException(400, "invalid_cursor", "cursor cannot be negative", "cursor") : cursor ?? 0;
    }

    public async Task StreamAsync(HttpContext http, string workflowId, long after, Func<EventRow, (string Event, string Data)?> format)
    {
        var response = http.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
        var ct = stop.Token;
        await response.WriteAsync("retry: 1000\n\n", ct).ConfigureAwait(false);
        await response.Body.FlushAsync(ct).ConfigureAwait(false);
        var text = new StringBuilder();
        try
        {
            while (true)
            {
                var wake = pulse.Next;
                string state;
                IReadOnlyList<EventRow> batch;
                using (var store = stores.Open())
                {
                    // State first, events second: both commit together, so a terminal state means its last event is readable now.
                    state = store.GetWorkflow(workflowId)!.State;
                    batch = store.GetEvents(workflowId, after, Batch);
                }

                text.Clear();
                foreach (var e in batch)
                {
                    after = e.Seq;
                    if (format(e) is { } sse)
                    {
                        text.Append("id: ").Append(e.Seq).Append("\nevent: ").Append(sse.Event).Append("\ndata: ").Append(sse.Data).Append("\n\n");
                    }
                }

                if (batch.Count < Batch && EngineHost.IsTerminal(state))
                {
                    text.Append("event: eos\ndata: ").Append(new JsonObject { ["state"] = state, ["lastSeq"] = after }.ToJsonString()).Append("\n\n");
                    await response.WriteAsync(text.ToString(), ct).ConfigureAwait(false);
                    await response.Body.FlushAsync(ct).ConfigureAwait(false);
                    return;
                }

                if (text.Length > 0)
                {
                    await response.WriteAsync(text.ToString(), ct).ConfigureAwait(false);
                    await response.Body.FlushAsync(ct).ConfigureAwait(false);
                }

                if (batch.Count == Batch)
                {
                    continue;
                }

                using var idle = CancellationTokenSource.CreateLinkedTokenSource(ct);
                var timer = Task.Delay(options.KeepAliveInterval, idle.Token);
                if (await Task.WhenAny(wake, timer).ConfigureAwait(false) == timer)
                {
                    ct.ThrowIfCancellationRequested();
                    await response.WriteAsync(": keep-alive\n\n", ct).ConfigureAwait(false);
                    await response.Body.FlushAsync(ct).ConfigureAwait(false);
                }
                else
                {
                    await idle.CancelAsync().ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Client gone or server stopping: the client resumes from its last id.
        }
    }

    /// <summary>Log events flattened to lines, optionally of one task.</summary>
    public static IEnumerable<Client.Models.LogEntry> Lines(EventRow e)
    {
        if (e.Kind != "task.log" || JsonNode.Parse(e.Data)?["lines"] is not JsonArray lines)
        {
            yield break;
        }

        foreach (var line in lines.OfType<JsonObject>())
        {
            yield return new Client.Models.LogEntry(e.Seq, e.Task ?? string.Empty, line["at"]?.GetValue<DateTimeOffset>() ?? e.At,
                line["stream"]?.GetValue<string>() ?? "stdout", line["text"]?.GetValue<string>() ?? string.Empty);
        }
    }
}
