using System.Runtime.CompilerServices;
using System.Text;
using FlowMesh.Client.Models;

namespace FlowMesh.Client;

public sealed partial class FlowMeshClient
{
    /// <summary>Submits a workflow given as FlowMesh YAML or JSON text.</summary>
    /// <param name="workflowText">The workflow document.</param>
    /// <param name="sourceName">A file name for error messages (file:line:col).</param>
    /// <param name="n8n">True when the text is an n8n export (JSON).</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="FlowMeshValidationException">The workflow is invalid; <see cref="FlowMeshValidationException.Errors"/> says where.</exception>
    public Task<SubmitResponse> SubmitAsync(string workflowText, string? sourceName = null, bool n8n = false, CancellationToken cancellationToken = default) =>
        SendAsync<SubmitResponse>(WorkflowRequest("api/v1/workflows", workflowText, sourceName, n8n), cancellationToken);

    /// <summary>Submits a workflow built in code.</summary>
    public Task<SubmitResponse> SubmitAsync(WorkflowBuilder workflow, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        return SubmitAsync(workflow.ToJson(), $"{workflow.Name}.json", n8n: false, cancellationToken);
    }

    /// <summary>Submits a workflow file; a <c>.json</c> file with n8n's <c>nodes</c> and <c>connections</c> is sent as n8n.</summary>
    public async Task<SubmitResponse> SubmitFileAsync(string path, CancellationToken cancellationToken = default)
    {
        var text = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        return await SubmitAsync(text, Path.GetFileName(path), IsN8n(path, text), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Checks a workflow without running it; errors come back in the answer, not as an exception.</summary>
    public Task<ValidateResponse> ValidateAsync(string workflowText, string? sourceName = null, bool n8n = false, CancellationToken cancellationToken = default) =>
        SendAsync<ValidateResponse>(WorkflowRequest("api/v1/workflows/validate", workflowText, sourceName, n8n), cancellationToken);

    /// <summary>Checks a workflow file without running it; an n8n export is recognised as <see cref="SubmitFileAsync"/> does.</summary>
    public async Task<ValidateResponse> ValidateFileAsync(string path, CancellationToken cancellationToken = default)
    {
        var text = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        return await ValidateAsync(text, Path.GetFileName(path), IsN8n(path, text), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A workflow with the state of each task and why waiting tasks wait.</summary>
    /// <exception cref="FlowMeshNotFoundException">No such workflow for your tenant.</exception>
    public Task<WorkflowInfo> GetAsync(string workflowId, CancellationToken cancellationToken = default) =>
        GetAsync<WorkflowInfo>($"api/v1/workflows/{E(workflowId)}", cancellationToken);

    /// <summary>One page of workflows, newest first.</summary>
    public Task<WorkflowPage> ListPageAsync(WorkflowFilter? filter = null, string? cursor = null, CancellationToken cancellationToken = default) =>
        GetAsync<WorkflowPage>($"api/v1/workflows{(filter ?? new WorkflowFilter()).ToQuery(cursor)}", cancellationToken);

    /// <summary>Every workflow matching <paramref name="filter"/>, newest first, fetching pages as you iterate.</summary>
    public async IAsyncEnumerable<WorkflowSummary> ListAsync(WorkflowFilter? filter = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? cursor = null;
        do
        {
            var page = await ListPageAsync(filter, cursor, cancellationToken).ConfigureAwait(false);
            foreach (var item in page.Items)
            {
                yield return item;
            }

            cursor = page.NextCursor;
        }
        while (cursor is not null);
    }

    /// <summary>Cancels a running workflow and its running tasks.</summary>
    public Task<WorkflowInfo> CancelAsync(string workflowId, CancellationToken cancellationToken = default) =>
        PostAsync<WorkflowInfo>($"api/v1/workflows/{E(workflowId)}/cancel", null, cancellationToken);

    /// <summary>Pauses a running workflow: its running tasks finish, nothing new starts until <see cref="ResumeAsync"/>.</summary>
    public Task<WorkflowInfo> PauseAsync(string workflowId, CancellationToken cancellationToken = default) =>
        PostAsync<WorkflowInfo>($"api/v1/workflows/{E(workflowId)}/pause", null, cancellationToken);

    /// <summary>Resumes a paused workflow: its ready tasks queue again where they were.</summary>
    public Task<WorkflowInfo> ResumeAsync(string workflowId, CancellationToken cancellationToken = default) =>
        PostAsync<WorkflowInfo>($"api/v1/workflows/{E(workflowId)}/resume", null, cancellationToken);

    /// <summary>Runs the failed and cancelled tasks of a finished workflow again.</summary>
    public Task<RetryResponse> RetryAsync(string workflowId, CancellationToken cancellationToken = default) =>
        PostAsync<RetryResponse>($"api/v1/workflows/{E(workflowId)}/retry", null, cancellationToken);

    /// <summary>The tasks of a workflow.</summary>
    public Task<IReadOnlyList<TaskInfo>> GetTasksAsync(string workflowId, CancellationToken cancellationToken = default) =>
        GetAsync<IReadOnlyList<TaskInfo>>($"api/v1/workflows/{E(workflowId)}/tasks", cancellationToken);

    /// <summary>One task.</summary>
    public Task<TaskInfo> GetTaskAsync(string workflowId, string task, CancellationToken cancellationToken = default) =>
        GetAsync<TaskInfo>($"api/v1/workflows/{E(workflowId)}/tasks/{E(task)}", cancellationToken);

    /// <summary>Stops one task; its dependents are cancelled.</summary>
    public Task<TaskInfo> StopTaskAsync(string workflowId, string task, CancellationToken cancellationToken = default) =>
        PostAsync<TaskInfo>($"api/v1/workflows/{E(workflowId)}/tasks/{E(task)}/stop", null, cancellationToken);

    private HttpRequestMessage WorkflowRequest(string path, string text, string? sourceName, bool n8n)
    {
        var json = n8n || text.TrimStart().StartsWith('{');
        var request = Request(HttpMethod.Post, path, new StringContent(text, Encoding.UTF8, json ? "application/json" : "application/yaml"));
        if (sourceName is not null)
        {
            request.Headers.Add("Workflow-Source", sourceName);
        }

        if (n8n)
        {
            request.Headers.Add("Workflow-Format", "n8n");
        }

        return request;
    }

    private static bool IsN8n(string path, string text) =>
        path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) && text.Contains("\"connections\"", StringComparison.Ordinal) && text.Contains("\"nodes\"", StringComparison.Ordinal);

    /// <summary>A token that decides the open approval gate <paramref name="task"/> once (operator role).</summary>
    public Task<SignalTokenInfo> CreateSignalTokenAsync(string workflowId, string task, TimeSpan? ttl = null, CancellationToken cancellationToken = default) =>
        PostAsync<SignalTokenInfo>(
            $"api/v1/workflows/{Uri.EscapeDataString(workflowId)}/tasks/{Uri.EscapeDataString(task)}/signal-token{(ttl is { } t ? $"?ttlSeconds={t.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}" : string.Empty)}",
            null, cancellationToken);

    /// <summary>Approves or rejects a gate with its signal token (no API key is needed for this call).</summary>
    public Task<SignalResponse> SignalAsync(SignalRequest signal, CancellationToken cancellationToken = default) =>
        PostAsync<SignalResponse>("api/v1/signals", signal, cancellationToken);
}
