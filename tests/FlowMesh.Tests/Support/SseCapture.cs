using System.Net.Http.Headers;

namespace FlowMesh.Tests.Support;

/// <summary>Reads raw SSE frames off the wire, so tests see exactly what a browser or curl would.</summary>
internal static class SseCapture
{
    public sealed record Frame(string? Id, string Event, string Data);

    /// <summary>Frames of one connection; stops after <paramref name="max"/> frames with an id, at eos, or at the end of the body.</summary>
    public static async Task<(List<Frame> Frames, List<string> Comments)> ReadAsync(HttpClient http, string path, string? lastEventId, int max = int.MaxValue, Action<string>? onComment = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var frames = new List<Frame>();
        var comments = new List<string>();
        string? id = null, name = null, data = null;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.Length == 0)
            {
                if (name is not null)
                {
                    frames.Add(new Frame(id, name, data ?? string.Empty));
                    if (name == "eos" || frames.Count(f => f.Id is not null) >= max)
                    {
                        break;
                    }
                }

                id = name = data = null;
            }
            else if (line.StartsWith(':'))
            {
                comments.Add(line);
                onComment?.Invoke(line);
            }
            else if (line.StartsWith("id: ", StringComparison.Ordinal))
            {
                id = line[4..];
            }
            else if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                name = line[7..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data = line[6..];
            }
        }

        return (frames, comments);
    }
}
