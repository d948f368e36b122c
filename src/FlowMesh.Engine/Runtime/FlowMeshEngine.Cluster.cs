using System.Text.Json;
using FlowMesh.Engine.Agent.Protocol;
using FlowMesh.Engine.Store;

namespace FlowMesh.Engine.Runtime;

/// <summary>
/// What changes when the engine is a cluster's leader (<see cref="EngineOptions.ClusterTerm"/>): a node's work and stop
/// orders go into the store in the transaction that decided them, so whichever replica holds the node's long poll finds
/// them, and each commit notifies every replica of the workflows and nodes it touched.
/// </summary>
public sealed partial class FlowMeshEngine
{
    /// <summary>Channel that carries the ids of workflows with new events (comma-separated).</summary>
    public const string EventsChannel = "flowmesh_events";

    /// <summary>Channel that carries the ids of nodes with new work or stop orders (comma-separated).</summary>
    public const string WorkChannel = "flowmesh_work";

    // A NOTIFY payload must stay under 8000 bytes.
    private const int MaxNotifyPayload = 7000;
    private readonly List<(string NodeId, long Epoch, WorkBatch Batch)> _outbox = [];

    /// <summary>
    /// Stops a task on a remote node once this turn commits: through the node's link, or in cluster mode through the
    /// store in the same transaction. Either way a node never hears of a decision that did not commit.
    /// </summary>
    private void CancelOnNode(string nodeId, TaskLease lease)
    {
        if (!_links.TryGetValue(nodeId, out var link))
        {
            return;
        }

        if (_options.ClusterTerm is null)
        {
            _afterCommit.Add(() => link.Cancel(lease));
        }
        else
        {
            _outbox.Add((nodeId, link.Epoch, new WorkBatch([], [lease])));
        }
    }

    private void StageForCluster(StoreTransaction tx, List<Assignment> dispatches)
    {
        foreach (var a in dispatches)
        {
            if (a.NodeId != _node!.Id && _links.TryGetValue(a.NodeId, out var link))
            {
                _outbox.Add((a.NodeId, link.Epoch, new WorkBatch([ToWorkItem(a)], [])));
            }
        }

        foreach (var (nodeId, epoch, batch) in _outbox)
        {
            tx.EnqueueNodeWork(nodeId, epoch, JsonSerializer.Serialize(batch, ProtocolJson.Options));
        }

        Notify(tx, WorkChannel, _outbox.Select(o => o.NodeId));
        _outbox.Clear();
        Notify(tx, EventsChannel, _pendingEvents.Select(e => e.WorkflowId));
    }

    private static void Notify(StoreTransaction tx, string channel, IEnumerable<string> ids)
    {
        var payload = new System.Text.StringBuilder();
        foreach (var id in ids.Distinct(StringComparer.Ordinal))
        {
            if (payload.Length > 0 && payload.Length + id.Length + 1 > MaxNotifyPayload)
            {
                tx.Notify(channel, payload.ToString());
                payload.Clear();
            }

            payload.Append(payload.Length > 0 ? "," : string.Empty).Append(id);
        }

        if (payload.Length > 0)
        {
            tx.Notify(channel, payload.ToString());
        }
    }
}
