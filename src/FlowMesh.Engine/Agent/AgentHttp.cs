using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using FlowMesh.Engine.Agent.Protocol;
using FlowMesh.Engine.Runtime;

namespace FlowMesh.Engine.Agent;

/// <summary>The agent's calls to the server's /api/v1/agent routes. A 409 <c>stale_epoch</c> means "register again".</summary>
internal sealed class AgentHttp : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly HttpClient _http;

    public AgentHttp(IReadOnlyList<Uri> servers, string token)
    {
        _http = new HttpClient(new FailoverHandler(servers)) { BaseAddress = new Uri(servers[0], "/api/v1/agent/nodes/"), Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    public async Task<NodeWelcome> RegisterAsync(NodeRegistration registration, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsJsonAsync(string.Empty, registration, Json, cancellationToken).ConfigureAwait(false);
        await EnsureAsync(response, cancellationToken).ConfigureAwait(false);
        return (await response.Content.ReadFromJsonAsync<NodeWelcome>(Json, cancellationToken).ConfigureAwait(false))!;
    }

    public async Task<HeartbeatReply> HeartbeatAsync(string nodeId, Heartbeat beat, CancellationToken cancellationToken)
    {
        using var timeout = Deadline(TimeSpan.FromSeconds(10), cancellationToken);
        using var response = await _http.PostAsJsonAsync($"{Uri.EscapeDataString(nodeId)}/heartbeat", beat, Json, timeout.Token).ConfigureAwait(false);
        await EnsureAsync(response, cancellationToken).ConfigureAwait(false);
        return (await response.Content.ReadFromJsonAsync<HeartbeatReply>(Json, cancellationToken).ConfigureAwait(false))!;
    }

    public async Task<WorkBatch> PollAsync(string nodeId, long epoch, TimeSpan wait, CancellationToken cancellationToken)
    {
        using var timeout = Deadline(wait + TimeSpan.FromSeconds(15), cancellationToken);
        using var response = await _http.GetAsync($"{Uri.EscapeDataString(nodeId)}/work?epoch={epoch}&waitSeconds={wait.TotalSeconds:0}", timeout.Token).ConfigureAwait(false);
        await EnsureAsync(response, cancellationToken).ConfigureAwait(false);
        return (await response.Content.ReadFromJsonAsync<WorkBatch>(Json, cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>False when the server refused the report because this node no longer holds the attempt.</summary>
    public async Task<bool> ReportAsync(string nodeId, TaskLease lease, TaskReport report, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsJsonAsync($"{Uri.EscapeDataString(nodeId)}/tasks/{Uri.EscapeDataString(lease.WorkflowId)}/{lease.Index}/report", report, Json, cancellationToken)
            .ConfigureAwait(false);
        return await AcceptedAsync(response, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> UploadAsync(string nodeId, TaskLease lease, string relativePath, string file, CancellationToken cancellationToken)
    {
        var path = string.Join('/', relativePath.Split(Path.DirectorySeparatorChar).Select(Uri.EscapeDataString));
        var stream = File.OpenRead(file);
        await using (stream.ConfigureAwait(false))
        {
            using var content = new StreamContent(stream);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            using var response = await _http.PutAsync($"{Uri.EscapeDataString(nodeId)}/tasks/{Uri.EscapeDataString(lease.WorkflowId)}/{lease.Index}/files/{path}?attempt={lease.Attempt}", content, cancellationToken)
                .ConfigureAwait(false);
            return await AcceptedAsync(response, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Fetches a file of an upstream stage's results into <paramref name="target"/>; false when the lease is gone.</summary>
    public async Task<bool> DownloadInputAsync(string nodeId, TaskLease lease, string stage, string relativePath, string target, CancellationToken cancellationToken)
    {
        var path = string.Join('/', relativePath.Split('/').Select(Uri.EscapeDataString));
        using var response = await _http.GetAsync(
            $"{Uri.EscapeDataString(nodeId)}/tasks/{Uri.EscapeDataString(lease.WorkflowId)}/{lease.Index}/inputs/{Uri.EscapeDataString(stage)}/{path}?attempt={lease.Attempt}",
            HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!await AcceptedAsync(response, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var file = File.Create(target);
        await using (file.ConfigureAwait(false))
        {
            await response.Content.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    public async Task LeaveAsync(string nodeId, LeaveRequest request, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsJsonAsync($"{Uri.EscapeDataString(nodeId)}/leave", request, Json, cancellationToken).ConfigureAwait(false);
        await EnsureAsync(response, cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => _http.Dispose();

    private static CancellationTokenSource Deadline(TimeSpan after, CancellationToken cancellationToken)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(after);
        return cts;
    }

    private static async Task<bool> AcceptedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.StatusCode == HttpStatusCode.Conflict && await CodeAsync(response, cancellationToken).ConfigureAwait(false) == "stale_lease")
        {
            return false;
        }

        await EnsureAsync(response, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private static async Task EnsureAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var code = await CodeAsync(response, cancellationToken).ConfigureAwait(false);
        if (code == "stale_epoch")
        {
            throw new StaleEpochException("the server no longer knows this node's epoch");
        }

        throw new HttpRequestException($"server answered {(int)response.StatusCode} {code}", null, response.StatusCode);
    }

    private static async Task<string?> CodeAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var body = await response.Content.ReadFromJsonAsync<JsonObject>(Json, cancellationToken).ConfigureAwait(false);
            return body?["code"]?.GetValue<string>();
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException)
        {
            return null;
        }
    }
}
