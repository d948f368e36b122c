namespace FlowMesh.Engine.Agent;

/// <summary>
/// Sends each agent call to the current server of a replica set. A server that cannot be reached, or answers 502, 503
/// or 504, makes the next one current; a call whose body can be sent again is retried there at once (every replica
/// serves every route), one whose body is a stream is left to its caller's retry.
/// </summary>
internal sealed class FailoverHandler(IReadOnlyList<Uri> servers) : DelegatingHandler(new SocketsHttpHandler())
{
    private int _current;

    /// <summary>The server calls go to now.</summary>
    public Uri Current => servers[Volatile.Read(ref _current)];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var relative = request.RequestUri!.PathAndQuery;
        var replayable = request.Content is null or System.Net.Http.Json.JsonContent;
        for (var tried = 1; ; tried++)
        {
            var index = Volatile.Read(ref _current);
            request.RequestUri = new Uri(servers[index], relative);
            try
            {
                var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
                if ((int)response.StatusCode is 502 or 503 or 504 && servers.Count > 1)
                {
                    Rotate(index);
                    if (replayable && tried < servers.Count)
                    {
                        response.Dispose();
                        continue;
                    }
                }

                return response;
            }
            catch (HttpRequestException) when (servers.Count > 1 && !cancellationToken.IsCancellationRequested)
            {
                Rotate(index);
                if (!replayable || tried >= servers.Count)
                {
                    throw;
                }
            }
        }
    }

    private void Rotate(int from) => Interlocked.CompareExchange(ref _current, (from + 1) % servers.Count, from);
}
