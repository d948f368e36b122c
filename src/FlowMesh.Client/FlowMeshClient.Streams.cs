using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using FlowMesh.Client.Models;

namespace FlowMesh.Client;

public sealed partial class FlowMeshClient
{
    /// <summary>
    /// The workflow's events from <paramref name="afterSeq"/> on, live, until the workflow ends. A dropped connection is
    /// resumed from the last event seen (Last-Event-ID), so each event arrives exactly once and in order.
    /// </summary>
    /// <param name="workflowId">The workflow.</param>
    /// <param name="afterSeq">Start after this sequence number (0: from the beginning).</param>
    /// <param name="cancellationToken">Stops watching.</param>
    public IAsyncEnumerable<EventInfo> WatchAsync(string workflowId, long afterSeq = 0, CancellationToken cancellationToken = default) =>
        StreamAsync<EventInfo>($"api/v1/workflows/{E(workflowId)}/events/stream", afterSeq, e =>
        {
            using var doc = JsonDocument.Parse(e.Data);
            var root = doc.RootElement;
            var task = root.TryGetProperty("task", out var t) ? t.GetString() : null;
            var at = root.TryGetProperty("at", out var a) ? a.GetDateTimeOffset() : DateTimeOffset.MinValue;
            return [new EventInfo(long.Parse(e.Id!, CultureInfo.InvariantCulture), at, e.Event, task, root.Clone())];
        }, cancellationToken);

    /// <summary>Log lines of a workflow (or of one task) from <paramref name="afterSeq"/> on, live, until the workflow ends.</summary>
    public IAsyncEnumerable<LogEntry> StreamLogsAsync(string workflowId, string? task = null, long afterSeq = 0, CancellationToken cancellationToken = default) =>
        StreamAsync<LogEntry>(task is null ? $"api/v1/workflows/{E(workflowId)}/logs/stream" : $"api/v1/workflows/{E(workflowId)}/tasks/{E(task)}/logs/stream", afterSeq, e =>
        {
            using var doc = JsonDocument.Parse(e.Data);
            var seq = long.Parse(e.Id!, CultureInfo.InvariantCulture);
            var name = doc.RootElement.GetProperty("task").GetString() ?? string.Empty;
            return [.. doc.RootElement.GetProperty("lines").EnumerateArray().Select(l => new LogEntry(seq, name, l.GetProperty("at").GetDateTimeOffset(),
                l.GetProperty("stream").GetString() ?? "stdout", l.GetProperty("text").GetString() ?? string.Empty))];
        }, cancellationToken);

    /// <summary>A page of log lines after <paramref name="cursor"/>.</summary>
    public Task<LogPage> GetLogsAsync(string workflowId, string? task = null, long cursor = 0, int limit = 500, CancellationToken cancellationToken = default) =>
        GetAsync<LogPage>((task is null ? $"api/v1/workflows/{E(workflowId)}/logs" : $"api/v1/workflows/{E(workflowId)}/tasks/{E(task)}/logs")
            + $"?cursor={cursor}&limit={limit}", cancellationToken);

    /// <summary>A page of events after <paramref name="cursor"/>.</summary>
    public Task<EventPage> GetEventsAsync(string workflowId, long cursor = 0, int limit = 500, CancellationToken cancellationToken = default) =>
        GetAsync<EventPage>($"api/v1/workflows/{E(workflowId)}/events?cursor={cursor}&limit={limit}", cancellationToken);

    private async IAsyncEnumerable<T> StreamAsync<T>(string path, long afterSeq, Func<ServerSentEvent, IEnumerable<T>> map, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var last = afterSeq;
        var failures = 0;
        var delay = _options.ReconnectDelay;
        while (true)
        {
            var request = Request(HttpMethod.Get, path);
            request.Headers.Add("Last-Event-ID", last.ToString(CultureInfo.InvariantCulture));
            request.Headers.Accept.ParseAdd("text/event-stream");
            HttpResponseMessage? response = null;
            IAsyncEnumerator<ServerSentEvent>? events = null;
            var ended = false;
            try
            {
                try
                {
                    response = await OpenAsync(request, cancellationToken).ConfigureAwait(false);
                    var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                    events = ServerSentEventReader.ReadAsync(body, cancellationToken).GetAsyncEnumerator(cancellationToken);
                }
                catch (Exception ex) when (IsTransient(ex, cancellationToken) && failures < _options.MaxReconnects)
                {
                    failures++;
                }

                while (events is not null)
                {
                    ServerSentEvent e;
                    try
                    {
                        if (!await events.MoveNextAsync().ConfigureAwait(false))
                        {
                            break;
                        }

                        e = events.Current;
                    }
                    catch (Exception ex) when (IsTransient(ex, cancellationToken) && failures < _options.MaxReconnects)
                    {
                        failures++;
                        break;
                    }

                    if (e.Event == "eos")
                    {
                        ended = true;
                        break;
                    }

                    if (e.Id is null)
                    {
                        continue;
                    }

                    failures = 0;
                    delay = _options.ReconnectDelay;
                    last = long.Parse(e.Id, CultureInfo.InvariantCulture);
                    foreach (var item in map(e))
                    {
                        yield return item;
                    }
                }
            }
            finally
            {
                if (events is not null)
                {
                    await events.DisposeAsync().ConfigureAwait(false);
                }

                response?.Dispose();
            }

            if (ended)
            {
                yield break;
            }

            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
        }
    }

    private static bool IsTransient(Exception ex, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested && ex is HttpRequestException or IOException or OperationCanceledException;
}
