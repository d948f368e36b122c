using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace FlowMesh.Engine.Containers;

/// <summary>
/// The few Docker Engine REST calls FlowMesh needs, over the engine's unix socket. Podman's Docker-compatible service
/// answers the same paths, so one client serves both. Images are never pulled: a missing image is the caller's error.
/// </summary>
internal sealed class DockerClient : IDisposable
{
    private const string ApiPrefix = "/v1.41";
    private readonly HttpClient _http;

    public DockerClient(string socketPath)
    {
        SocketPath = socketPath;
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        };
        _http = new HttpClient(handler) { BaseAddress = new Uri("http://docker" + ApiPrefix + "/"), Timeout = Timeout.InfiniteTimeSpan };
    }

    public string SocketPath { get; }

    /// <summary>The socket named by DOCKER_HOST (unix:// only), else the usual Docker and Podman sockets that exist.</summary>
    public static string? FindSocket(string? configured = null)
    {
        var value = configured ?? Environment.GetEnvironmentVariable("DOCKER_HOST");
        if (!string.IsNullOrEmpty(value))
        {
            return value.StartsWith("unix://", StringComparison.Ordinal) ? value["unix://".Length..] : null;
        }

        string[] candidates = ["/var/run/docker.sock", "/run/podman/podman.sock", $"/run/user/{Environment.GetEnvironmentVariable("UID")}/podman/podman.sock"];
        return candidates.FirstOrDefault(File.Exists);
    }

    public async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            using var response = await _http.GetAsync("_ping", timeout.Token).ConfigureAwait(false);
            return response.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    public async Task<bool> ImageExistsAsync(string image, CancellationToken cancellationToken) => await InspectImageAsync(image, cancellationToken).ConfigureAwait(false) is not null;

    /// <summary>The image's configuration (user, labels, health check, …), or null when there is no such image here.</summary>
    public async Task<JsonObject?> InspectImageAsync(string image, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync($"images/{Uri.EscapeDataString(image)}/json", cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        await EnsureAsync(response, "inspect image", cancellationToken).ConfigureAwait(false);
        return await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken).ConfigureAwait(false);
    }

    public async Task<string> CreateAsync(string name, JsonObject body, CancellationToken cancellationToken)
    {
        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await _http.PostAsync($"containers/create?name={Uri.EscapeDataString(name)}", content, cancellationToken).ConfigureAwait(false);
        await EnsureAsync(response, "create container", cancellationToken).ConfigureAwait(false);
        var created = await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken).ConfigureAwait(false);
        return created?["Id"]?.GetValue<string>() ?? throw new DockerException("create container: the answer has no Id");
    }

    public async Task StartAsync(string id, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsync($"containers/{id}/start", null, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.NotModified)
        {
            await EnsureAsync(response, "start container", cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Follows the container's output until it exits; each complete line goes to <paramref name="onLine"/>.</summary>
    public async Task FollowLogsAsync(string id, bool tty, Action<string, string> onLine, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"containers/{id}/logs?follow=1&stdout=1&stderr=1");
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        await EnsureAsync(response, "follow logs", cancellationToken).ConfigureAwait(false);
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var demux = new LogDemultiplexer(tty, onLine);
            var buffer = new byte[16 * 1024];
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                demux.Feed(buffer.AsSpan(0, read));
            }

            demux.Flush();
        }
    }

    /// <summary>Waits for the container to stop and returns its exit code.</summary>
    public async Task<long> WaitAsync(string id, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsync($"containers/{id}/wait", null, cancellationToken).ConfigureAwait(false);
        await EnsureAsync(response, "wait for container", cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken).ConfigureAwait(false);
        return body?["StatusCode"]?.GetValue<long>() ?? -1;
    }

    public async Task<JsonObject?> InspectAsync(string id, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync($"containers/{id}/json", cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        await EnsureAsync(response, "inspect container", cancellationToken).ConfigureAwait(false);
        return await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken).ConfigureAwait(false);
    }

    public async Task KillAsync(string id, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsync($"containers/{id}/kill?signal=SIGKILL", null, cancellationToken).ConfigureAwait(false);
        // 404: already gone; 409/500: not running any more. Either way nothing is left to kill.
        if (response.IsSuccessStatusCode || response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Conflict or HttpStatusCode.InternalServerError)
        {
            return;
        }

        await EnsureAsync(response, "kill container", cancellationToken).ConfigureAwait(false);
    }

    public async Task RemoveAsync(string id, CancellationToken cancellationToken)
    {
        using var response = await _http.DeleteAsync($"containers/{id}?force=1&v=1", cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.NotFound)
        {
            await EnsureAsync(response, "remove container", cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Ids of the containers carrying <paramref name="label"/> (for example those this node started).</summary>
    public async Task<IReadOnlyList<(string Id, JsonObject Labels, string State)>> ListAsync(string label, CancellationToken cancellationToken)
    {
        var filters = Uri.EscapeDataString(new JsonObject { ["label"] = new JsonArray(label) }.ToJsonString());
        using var response = await _http.GetAsync($"containers/json?all=1&filters={filters}", cancellationToken).ConfigureAwait(false);
        await EnsureAsync(response, "list containers", cancellationToken).ConfigureAwait(false);
        var list = await response.Content.ReadFromJsonAsync<JsonArray>(cancellationToken).ConfigureAwait(false) ?? [];
        return [.. list.OfType<JsonObject>().Select(c => (c["Id"]!.GetValue<string>(), c["Labels"] as JsonObject ?? [], c["State"]?.GetValue<string>() ?? string.Empty))];
    }

    public void Dispose() => _http.Dispose();

    private static async Task EnsureAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        string message;
        try
        {
            message = JsonNode.Parse(text)?["message"]?.GetValue<string>() ?? text;
        }
        catch (System.Text.Json.JsonException)
        {
            message = text;
        }

        throw new DockerException($"{what}: {(int)response.StatusCode} {message.Trim()}", (int)response.StatusCode);
    }
}
