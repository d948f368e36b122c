using System.Globalization;
using System.Text.Json.Nodes;
using FlowMesh.Engine.Actors;
using FlowMesh.Abstractions;
using FlowMesh.Engine.Store;

namespace FlowMesh.Engine.Runtime;

/// <summary>
/// Retries with exponential backoff: a task whose spec has <c>retry: {maxAttempts, backoffSeconds, maxBackoffSeconds,
/// jitter}</c> (the root spec's applies to every task) goes back to Ready after a failed attempt, with the failure as
/// the reason, and waits out its backoff (backoff × 2^(attempt−1), capped, then jittered to between half and all of
/// it) outside the ready queue; the lease clock queues it when the time comes. After the last attempt it fails as
/// usual. A restart queues a waiting retry at once: the wait is kept in memory only.
/// </summary>
public sealed partial class FlowMeshEngine
{
    private readonly Dictionary<(string Workflow, int Index), DateTimeOffset> _retryAt = [];

    /// <summary>Puts a failed attempt back for another try if its policy allows; false when it has no tries left.</summary>
    private bool TryScheduleRetry(StoreTransaction tx, WorkflowActor wf, TaskActor t, string? error)
    {
        if (t.Spec["retry"] is not JsonObject policy || Number(policy["maxAttempts"]) is not { } max || t.Attempt >= (int)max)
        {
            return false;
        }

        var first = Number(policy["backoffSeconds"]) ?? 1;
        var cap = Number(policy["maxBackoffSeconds"]) ?? 300;
        var delay = Math.Min(cap, first * Math.Pow(2, t.Attempt - 1));
        if (policy["jitter"] is not JsonValue j || !j.TryGetValue<bool>(out var jitter) || jitter)
        {
            // Jitter keeps tasks that failed together (a flaky dependency) from all retrying in the same instant.
            delay = (delay / 2) + (Random.Shared.NextDouble() * delay / 2);
        }

        var due = _time.GetUtcNow() + TimeSpan.FromSeconds(delay);
        t.Error = error;
        if (t.NodeId is { } failedOn)
        {
            (t.FailedOn ??= new HashSet<string>(StringComparer.Ordinal)).Add(failedOn);
        }

        t.NodeId = null;
        MoveTask(tx, wf, t, TaskState.Ready, reason: string.Create(CultureInfo.InvariantCulture, $"retry {t.Attempt + 1}/{(int)max} in {delay:0.###} s after: {error}"));
        _retryAt[(wf.Id, t.Index)] = due;
        NoteWaiting(tx, wf, t, string.Create(CultureInfo.InvariantCulture, $"retry {t.Attempt + 1}/{(int)max} at {due:HH:mm:ss.fff} (backoff after: {error})"));
        return true;
    }

    /// <summary>Queues the retries whose backoff is over (the lease clock calls this).</summary>
    private void QueueDueRetries(DateTimeOffset now)
    {
        foreach (var ((workflowId, index), _) in _retryAt.Where(r => r.Value <= now).ToList())
        {
            _retryAt.Remove((workflowId, index));
            if (_workflows.TryGetValue(workflowId, out var wf) && wf.Tasks[index] is { State: TaskState.Ready } t)
            {
                Enqueue(wf, t);
            }
        }
    }

    /// <summary>A spec number, whether the parser holds it as an int, a long or a double (its JSON text is read).</summary>
    private static double? Number(JsonNode? node) =>
        node is JsonValue v && double.TryParse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null;
}
