using System.Net.Http.Json;
using System.Text.Json;
using FlowMesh.Client.Models;

namespace FlowMesh.Client;

public sealed partial class FlowMeshClient
{
    /// <summary>A task's results.json.</summary>
    public Task<JsonElement> GetResultAsync(string workflowId, string task, CancellationToken cancellationToken = default) =>
        GetAsync<JsonElement>($"api/v1/workflows/{E(workflowId)}/tasks/{E(task)}/results", cancellationToken);

    /// <summary>Copies one artifact file of a task (a path under its results directory) to <paramref name="destination"/>.</summary>
    public async Task DownloadFileAsync(string workflowId, string task, string path, Stream destination, CancellationToken cancellationToken = default)
    {
        var escaped = string.Join('/', path.Split('/').Select(E));
        using var response = await OpenAsync(Request(HttpMethod.Get, $"api/v1/workflows/{E(workflowId)}/tasks/{E(task)}/results/files/{escaped}"), cancellationToken).ConfigureAwait(false);
        await response.Content.CopyToAsync(destination, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Copies a finished task's tar.gz bundle (results, artifacts and logs, or the <paramref name="include"/> parts) to <paramref name="destination"/>.</summary>
    public async Task DownloadBundleAsync(string workflowId, string task, Stream destination, IEnumerable<string>? include = null, CancellationToken cancellationToken = default)
    {
        var query = include is null ? string.Empty : "?" + string.Join('&', include.Select(i => $"include={E(i)}"));
        using var response = await OpenAsync(Request(HttpMethod.Get, $"api/v1/workflows/{E(workflowId)}/tasks/{E(task)}/results/bundle{query}"), cancellationToken).ConfigureAwait(false);
        await response.Content.CopyToAsync(destination, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Live nodes (all of them, with <paramref name="all"/>), with capacity and free resources.</summary>
    public Task<IReadOnlyList<NodeInfo>> ListNodesAsync(bool all = false, CancellationToken cancellationToken = default) =>
        GetAsync<IReadOnlyList<NodeInfo>>($"api/v1/nodes{(all ? "?all=true" : string.Empty)}", cancellationToken);

    /// <summary>One node.</summary>
    public Task<NodeInfo> GetNodeAsync(string nodeId, CancellationToken cancellationToken = default) =>
        GetAsync<NodeInfo>($"api/v1/nodes/{E(nodeId)}", cancellationToken);

    /// <summary>Stops placing new tasks on a node (system admins).</summary>
    public Task<NodeInfo> CordonAsync(string nodeId, CancellationToken cancellationToken = default) =>
        PostAsync<NodeInfo>($"api/v1/nodes/{E(nodeId)}/cordon", null, cancellationToken);

    /// <summary>Lets a cordoned node take tasks again (system admins).</summary>
    public Task<NodeInfo> UncordonAsync(string nodeId, CancellationToken cancellationToken = default) =>
        PostAsync<NodeInfo>($"api/v1/nodes/{E(nodeId)}/uncordon", null, cancellationToken);

    /// <summary>Creates a tenant and an admin token for it (system admins).</summary>
    public Task<CreateTenantResponse> CreateTenantAsync(CreateTenantRequest request, CancellationToken cancellationToken = default) =>
        PostAsync<CreateTenantResponse>("api/v1/tenants", request, cancellationToken);

    /// <summary>Creates an API key (tenant admins; another tenant needs a system admin). The token is in the answer only.</summary>
    public Task<CreatedToken> CreateTokenAsync(CreateTokenRequest request, CancellationToken cancellationToken = default) =>
        PostAsync<CreatedToken>("api/v1/tokens", request, cancellationToken);

    /// <summary>The API keys of your tenant.</summary>
    public Task<IReadOnlyList<TokenInfo>> ListTokensAsync(CancellationToken cancellationToken = default) =>
        GetAsync<IReadOnlyList<TokenInfo>>("api/v1/tokens", cancellationToken);

    /// <summary>Revokes an API key by id.</summary>
    public async Task<TokenInfo> RevokeTokenAsync(string tokenId, CancellationToken cancellationToken = default) =>
        await SendAsync<TokenInfo>(Request(HttpMethod.Delete, $"api/v1/tokens/{E(tokenId)}"), cancellationToken).ConfigureAwait(false);

    /// <summary>Your tenant's secrets: names and when they were set, never values.</summary>
    public Task<IReadOnlyList<SecretInfo>> ListSecretsAsync(CancellationToken cancellationToken = default) =>
        GetAsync<IReadOnlyList<SecretInfo>>("api/v1/secrets", cancellationToken);

    /// <summary>Sets a secret of your tenant (operators); tasks get it as an environment variable through <c>secrets: {VAR: name}</c>.</summary>
    public async Task<SecretInfo> SetSecretAsync(string name, string value, CancellationToken cancellationToken = default) =>
        await SendAsync<SecretInfo>(Request(HttpMethod.Put, $"api/v1/secrets/{E(name)}", JsonContent.Create(new SetSecretRequest(value), options: Json)), cancellationToken).ConfigureAwait(false);

    /// <summary>Deletes a secret of your tenant (operators).</summary>
    public async Task<SecretInfo> DeleteSecretAsync(string name, CancellationToken cancellationToken = default) =>
        await SendAsync<SecretInfo>(Request(HttpMethod.Delete, $"api/v1/secrets/{E(name)}"), cancellationToken).ConfigureAwait(false);

    /// <summary>Your tenant's most recent usage rows (one per finished task attempt).</summary>
    public Task<IReadOnlyList<UsageInfo>> GetUsageAsync(int limit = 100, CancellationToken cancellationToken = default) =>
        GetAsync<IReadOnlyList<UsageInfo>>($"api/v1/usage?limit={limit}", cancellationToken);

}
