using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using FlowMesh.Client.Models;

namespace FlowMesh.Client;

/// <summary>
/// A typed client for the FlowMesh HTTP API. Thread-safe; create one per server and reuse it. Errors arrive as
/// <see cref="FlowMeshException"/> subclasses carrying the server's problem code.
/// </summary>
public sealed partial class FlowMeshClient : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly FlowMeshClientOptions _options;

    /// <summary>Creates a client for <paramref name="options"/>' server and token.</summary>
    public FlowMeshClient(FlowMeshClientOptions options)
        : this(new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = Timeout.InfiniteTimeSpan }, options, ownsHttp: true)
    {
    }

    /// <summary>Creates a client for <paramref name="baseAddress"/> with <paramref name="token"/>.</summary>
    public FlowMeshClient(Uri baseAddress, string? token)
        : this(new FlowMeshClientOptions { BaseAddress = baseAddress, Token = token })
    {
    }

    /// <summary>Creates a client over an <see cref="HttpClient"/> you manage (its BaseAddress and handlers are used as they are).</summary>
    public FlowMeshClient(HttpClient httpClient, FlowMeshClientOptions options)
        : this(httpClient, options, ownsHttp: false)
    {
    }

    private FlowMeshClient(HttpClient httpClient, FlowMeshClientOptions options, bool ownsHttp)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        _http = httpClient;
        _http.BaseAddress ??= options.BaseAddress;
        _ownsHttp = ownsHttp;
        _options = options;
    }

    /// <summary>The server this client talks to.</summary>
    public Uri BaseAddress => _http.BaseAddress!;

    /// <summary>Server version, API version and store kind.</summary>
    public Task<VersionInfo> GetVersionAsync(CancellationToken cancellationToken = default) =>
        GetAsync<VersionInfo>("api/v1/system/version", cancellationToken);

    /// <summary>Whether the server runs alone or as a cluster replica, and which replica leads.</summary>
    public Task<ClusterInfo> GetClusterAsync(CancellationToken cancellationToken = default) =>
        GetAsync<ClusterInfo>("api/v1/system/cluster", cancellationToken);

    /// <summary>Who this client's API key is: tenant, role and whether it is a system admin.</summary>
    public Task<CallerInfo> GetCallerAsync(CancellationToken cancellationToken = default) =>
        GetAsync<CallerInfo>("api/v1/me", cancellationToken);

    /// <summary>The caller's tenant at a glance: workflows and live tasks by state, and its quotas.</summary>
    public Task<OverviewInfo> GetOverviewAsync(CancellationToken cancellationToken = default) =>
        GetAsync<OverviewInfo>("api/v1/overview", cancellationToken);

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    private static string E(string segment) => Uri.EscapeDataString(segment);

    private HttpRequestMessage Request(HttpMethod method, string path, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        if (!string.IsNullOrEmpty(_options.Token))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _options.Token);
        }

        return request;
    }

    private async Task<T> GetAsync<T>(string path, CancellationToken cancellationToken) =>
        await SendAsync<T>(Request(HttpMethod.Get, path), cancellationToken).ConfigureAwait(false);

    private async Task<T> PostAsync<T>(string path, object? body, CancellationToken cancellationToken) =>
        await SendAsync<T>(Request(HttpMethod.Post, path, body is null ? null : JsonContent.Create(body, options: Json)), cancellationToken).ConfigureAwait(false);

    private async Task<T> SendAsync<T>(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using (request)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.RequestTimeout);
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
            await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
            return await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"{request.RequestUri}: empty answer");
        }
    }

    /// <summary>Sends and returns the response unread (for streams and downloads); the caller disposes it.</summary>
    private async Task<HttpResponseMessage> OpenAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using (request)
        {
            var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            try
            {
                await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
                return response;
            }
            catch
            {
                response.Dispose();
                throw;
            }
        }
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var status = (int)response.StatusCode;
        ApiProblem problem;
        try
        {
            problem = await response.Content.ReadFromJsonAsync<ApiProblem>(Json, cancellationToken).ConfigureAwait(false)
                ?? throw new JsonException("empty problem");
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException)
        {
            problem = new ApiProblem("about:blank", response.ReasonPhrase ?? "error", status, $"HTTP {status} {response.ReasonPhrase}", $"http_{status}", null, null);
        }

        throw response.StatusCode switch
        {
            HttpStatusCode.NotFound => new FlowMeshNotFoundException(problem),
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => new FlowMeshAuthenticationException(problem),
            HttpStatusCode.BadRequest => new FlowMeshValidationException(problem),
            HttpStatusCode.TooManyRequests => new FlowMeshRateLimitedException(problem, RetryAfter(response)),
            _ => new FlowMeshException(problem),
        };
    }

    private static TimeSpan RetryAfter(HttpResponseMessage response) =>
        response.Headers.RetryAfter?.Delta
        ?? (response.Headers.TryGetValues("Retry-After", out var v) && int.TryParse(v.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var s)
            ? TimeSpan.FromSeconds(s)
            : TimeSpan.FromSeconds(1));
}
