using FlowMesh.Abstractions;

namespace FlowMesh.Runtime.Storage;

/// <summary>
/// The durable, append-only event log of every workflow. A workflow grain is the only writer of its workflow's log and
/// assigns gap-free sequence numbers; the log is the grain's durable state (it is rebuilt by replaying it) and what
/// watchers resume from (Last-Event-ID).
/// </summary>
public interface IWorkflowEventStore
{
    /// <summary>
    /// Appends <paramref name="events"/> (any workflows, each workflow's in sequence order). Durable when the task
    /// completes. An entry whose (workflow, seq) is already stored is left as it is (a replayed append is harmless).
    /// </summary>
    Task AppendAsync(IReadOnlyList<WorkflowEvent> events, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="max"/> entries of one workflow with seq greater than <paramref name="afterSeq"/>, in order.</summary>
    Task<IReadOnlyList<WorkflowEvent>> ReadAsync(string workflowId, long afterSeq, int max, CancellationToken cancellationToken);
}
