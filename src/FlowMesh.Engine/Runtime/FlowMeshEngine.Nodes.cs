using System.Collections.Concurrent;
using System.Text.Json;
using FlowMesh.Engine.Actors;
using FlowMesh.Engine.Agent;
using FlowMesh.Engine.Agent.Protocol;
using FlowMesh.Abstractions;
using FlowMesh.Engine.Store;
using HeartbeatReply = FlowMesh.Engine.Agent.Protocol.HeartbeatReply;
using NodeRegistration = FlowMesh.Engine.Agent.Protocol.NodeRegistration;
using NodeWelcome = FlowMesh.Engine.Agent.Protocol.NodeWelcome;
using TaskReport = FlowMesh.Engine.Agent.Protocol.TaskReport;

namespace FlowMesh.Engine.Runtime;

/// <summary>
/// Remote node agents: registration (with an epoch per join), heartbeats that renew task leases, the long poll that
/// pushes work, fenced reports, draining and leaving, and the lease clock that requeues the tasks of a silent node.
/// </summary>
public sealed partial class FlowMeshEngine
{
    private readonly ConcurrentDictionary<string, RemoteNodeLink> _links = new(StringComparer.Ordinal);
    private readonly List<(WorkflowActor Workflow, TaskActor Task, DateTimeOffset Since)> _unplaceable = [];
    private readonly Dictionary<(string, int), DateTimeOffset> _unplaceableSince = [];
    private volatile bool _quiescing;

    /// <summary>
    /// A server calls this when it stops taking requests. Leases stop expiring (heartbeats cannot arrive any more, and
    /// the server's own shutdown must not be mistaken for its nodes going silent), and pending long polls are answered
    /// at once so the web server does not wait out their timeout.
    /// </summary>
    public async Task QuiesceAsync()
    {
        _quiescing = true;
        if (_leaseClock is not null)
        {
            await _leaseClock.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var link in _links.Values)
        {
            link.Close();
        }
    }

    public Task<NodeWelcome> RegisterNodeAsync(NodeRegistration registration, CancellationToken cancellationToken)
    {
        var ack = new TaskCompletionSource<NodeWelcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(new EngineCommand.RegisterNode(registration, ack));
        return ack.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Renews the leases the node lists; throws <see cref="StaleEpochException"/> when the node must register again.</summary>
    public Task<HeartbeatReply> HeartbeatAsync(string nodeId, Heartbeat beat, CancellationToken cancellationToken)
    {
        var ack = new TaskCompletionSource<HeartbeatReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(new EngineCommand.NodeHeartbeat(nodeId, beat, ack));
        return ack.Task.WaitAsync(cancellationToken);
    }

    /// <summary>The long poll: returns the node's new work and stop orders as soon as there are any, or empty after <paramref name="wait"/>.</summary>
    public Task<WorkBatch> TakeWorkAsync(string nodeId, long epoch, TimeSpan wait, CancellationToken cancellationToken)
    {
        if (!_links.TryGetValue(nodeId, out var link) || link.Epoch != epoch)
        {
            throw new StaleEpochException($"node {nodeId} epoch {epoch} is not current; register again");
        }

        return link.TakeAsync(_quiescing ? TimeSpan.Zero : wait, _time, cancellationToken);
    }

    /// <summary>Logs or the end of a task from a remote node; false when the node no longer holds that attempt's lease.</summary>
    public Task<bool> ReportAsync(string nodeId, string workflowId, int index, TaskReport report, CancellationToken cancellationToken)
    {
        var ack = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(report.Finished
            ? new EngineCommand.Finished(workflowId, index, report.Attempt, report.Succeeded, report.Result, report.Error, report.Lines, nodeId, ack, report.Refused)
            : new EngineCommand.Logs(workflowId, index, report.Attempt, report.Lines, nodeId, ack));
        return ack.Task.WaitAsync(cancellationToken);
    }

    public Task<bool> LeaveNodeAsync(string nodeId, LeaveRequest request, CancellationToken cancellationToken)
    {
        var ack = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(new EngineCommand.LeaveNode(nodeId, request, ack));
        return ack.Task.WaitAsync(cancellationToken);
    }

    private void ApplyRegister(StoreTransaction tx, EngineCommand.RegisterNode command)
    {
        var reg = command.Registration;
        if (reg.NodeId == _node!.Id)
        {
            command.Ack.TrySetException(new InvalidOperationException($"node id {reg.NodeId} is the server's own node"));
            return;
        }

        var now = _time.GetUtcNow();
        _nodes.TryGetValue(reg.NodeId, out var old);
        var row = Store.GetNode(reg.NodeId);
        var epoch = Math.Max(Math.Max(old?.Epoch ?? 0, row?.Epoch ?? 0), row?.Version ?? 0) + 1;
        var node = new NodeActor(reg.NodeId, reg.Capacity)
        {
            Remote = true,
            Epoch = epoch,
            HeartbeatAt = now,
            Host = reg.Host,
            Pid = reg.Pid,
            ProcessStart = reg.ProcessStart,
            Cordoned = old?.Cordoned ?? row?.Cordoned ?? false,
            Version = old?.Version ?? row?.Version ?? 0,
        };

        // Reconcile: a task the server placed here that the agent still runs keeps its lease (on the new account); one
        // the agent no longer runs goes back to the queue; one the agent runs but the server gave elsewhere is stopped.
        var reported = reg.Running.ToHashSet();
        var cancel = reg.Running.Where(l => !HoldsLease(reg.NodeId, l)).ToList();
        foreach (var (wf, t) in RunningOn(reg.NodeId))
        {
            var stillRuns = reported.Contains(new TaskLease(wf.Id, t.Index, t.Attempt));
            if (stillRuns && t.Reservation is { } gpus && node.TryReserveExact(t.Resources, gpus))
            {
                t.LeaseUntil = now + _options.LeaseDuration;
            }
            else if (stillRuns && t.Reservation is null && t.AdoptableGpus is { } held && node.TryReserveExact(t.Resources, held))
            {
                // Running since before this server restarted: adopt it as it is, with what it held, billed from now on.
                t.Reservation = held;
                t.AdoptableGpus = null;
                t.LeaseUntil = now + _options.LeaseDuration;
                _scheduler.Charge(wf.Tenant, t.Resources, +1);
                Event(wf, "task.adopted", t, new System.Text.Json.Nodes.JsonObject { ["node"] = node.Id, ["attempt"] = t.Attempt });
            }
            else
            {
                // Released on the old account, which is dropped below.
                Requeue(tx, wf, t, $"node {reg.NodeId} rejoined without it");
            }
        }

        _nodes[reg.NodeId] = node;
        SaveNode(tx, node, insert: old is null && row is null);
        if (_links.TryGetValue(reg.NodeId, out var oldLink))
        {
            oldLink.Close();
        }

        _links[reg.NodeId] = new RemoteNodeLink(reg.NodeId, epoch);
        foreach (var (wf, t, _) in _unplaceable)
        {
            Enqueue(wf, t);
        }

        _unplaceable.Clear();
        var welcome = new NodeWelcome(reg.NodeId, epoch, _options.HeartbeatInterval.TotalSeconds, _options.LeaseDuration.TotalSeconds, cancel);
        _afterCommit.Add(() => command.Ack.TrySetResult(welcome));
    }

    private void ApplyHeartbeat(StoreTransaction tx, EngineCommand.NodeHeartbeat command)
    {
        if (!_nodes.TryGetValue(command.NodeId, out var node) || !node.Remote || node.Epoch != command.Beat.Epoch || node.State is not (NodeState.Up or NodeState.Draining))
        {
            command.Ack.TrySetException(new StaleEpochException($"node {command.NodeId} epoch {command.Beat.Epoch} is not current; register again"));
            return;
        }

        var now = _time.GetUtcNow();
        node.HeartbeatAt = now;
        var cancel = new List<TaskLease>();
        foreach (var lease in command.Beat.Running)
        {
            if (TaskOf(command.NodeId, lease) is { } t)
            {
                t.LeaseUntil = now + _options.LeaseDuration;
            }
            else
            {
                cancel.Add(lease);
            }
        }

        node.Draining = command.Beat.Draining;
        node.State = command.Beat.Draining ? NodeState.Draining : NodeState.Up;
        if (command.Beat.WarmModels is { } warm && !warm.SequenceEqual(node.Capacity.WarmModels ?? [], StringComparer.Ordinal))
        {
            node.Capacity = node.Capacity with { WarmModels = [.. warm] };
        }

        SaveNode(tx, node, insert: false);
        _afterCommit.Add(() => command.Ack.TrySetResult(new HeartbeatReply(cancel)));
    }

    private void ApplyLeave(StoreTransaction tx, EngineCommand.LeaveNode command)
    {
        if (!_nodes.TryGetValue(command.NodeId, out var node) || !node.Remote || node.Epoch != command.Request.Epoch)
        {
            command.Ack.TrySetException(new StaleEpochException($"node {command.NodeId} epoch {command.Request.Epoch} is not current"));
            return;
        }

        foreach (var (wf, t) in RunningOn(node.Id))
        {
            Requeue(tx, wf, t, $"node {node.Id} left and handed it back");
        }

        node.State = NodeState.Left;
        SaveNode(tx, node, insert: false);
        if (_links.TryRemove(node.Id, out var link))
        {
            link.Close();
        }

        _afterCommit.Add(() => command.Ack.TrySetResult(true));
    }

    /// <summary>The lease clock: a node silent past its lease is lost, and every lease that ran out goes back to the queue.</summary>
    private void ApplyTick(StoreTransaction tx)
    {
        var now = _time.GetUtcNow();
        ExpireGates(tx, now);
        QueueDueRetries(now);
        foreach (var node in _nodes.Values.Where(n => n.Remote && (n.State is NodeState.Up or NodeState.Draining) && now - n.HeartbeatAt > _options.LeaseDuration).ToList())
        {
            node.State = NodeState.Lost;
            SaveNode(tx, node, insert: false);
            if (_links.TryRemove(node.Id, out var link))
            {
                link.Close();
            }
        }

        foreach (var (wf, t, since) in _unplaceable.Where(u => now - u.Since >= _options.UnplaceableTimeout).ToList())
        {
            _unplaceable.RemoveAll(u => u.Task == t);
            if (t.State == TaskState.Ready && _workflows.ContainsKey(wf.Id))
            {
                FailUnplaceable(tx, wf, t, $"{t.Waiting} (waited {(now - since).TotalSeconds:0}s)");
            }
        }

        foreach (var wf in _workflows.Values.ToList())
        {
            foreach (var t in wf.Tasks)
            {
                if (t.State == TaskState.Running && t.LeaseUntil is { } until && until < now && t.NodeId is { } nodeId)
                {
                    _telemetry.LeaseExpired();
                    Requeue(tx, wf, t, $"lease of node {nodeId} ran out (attempt {t.Attempt})");
                }
            }
        }
    }

    private void FailUnplaceable(StoreTransaction tx, WorkflowActor wf, TaskActor t, string why)
    {
        _unplaceableSince.Remove((wf.Id, t.Index));
        t.Error = $"no node can run this task: {why}";
        Finish(tx, wf, t, TaskState.Failed, null);
        CheckWorkflowDone(tx, wf);
    }

    /// <summary>Takes a task off its node and puts it at the head of the queue (or the tail); its attempt's late reports are refused.</summary>
    private void Requeue(StoreTransaction tx, WorkflowActor wf, TaskActor t, string reason, bool atTail = false)
    {
        var nodeId = t.NodeId;
        ReleaseNode(tx, wf, t, TaskState.Ready);
        RequeueBatch(tx, wf, t, reason);
        if (nodeId is not null)
        {
            CancelOnNode(nodeId, new TaskLease(wf.Id, t.Index, t.Attempt));
        }

        t.NodeId = null;
        MoveTask(tx, wf, t, TaskState.Ready, reason: $"requeued: {reason}");
        Enqueue(wf, t, ahead: !atTail);
    }

    private bool HoldsLease(string nodeId, TaskLease lease) => TaskOf(nodeId, lease) is not null;

    private TaskActor? TaskOf(string nodeId, TaskLease lease) =>
        _workflows.TryGetValue(lease.WorkflowId, out var wf) && lease.Index >= 0 && lease.Index < wf.Tasks.Length
        && wf.Tasks[lease.Index] is { State: TaskState.Running } t && t.Attempt == lease.Attempt && t.NodeId == nodeId
            ? t
            : null;

    private IEnumerable<(WorkflowActor Workflow, TaskActor Task)> RunningOn(string nodeId) =>
        [.. _workflows.Values.SelectMany(wf => wf.Tasks.Where(t => t.State == TaskState.Running && t.NodeId == nodeId).Select(t => (wf, t)))];

    private void SaveNode(StoreTransaction tx, NodeActor node, bool insert)
    {
        tx.SaveNode(new NodeRow(node.Id, node.State.ToString(), node.Version, node.Host, node.Pid, node.ProcessStart, node.HeartbeatAt,
            JsonSerializer.Serialize(node.Capacity), node.Cordoned, node.Epoch), insert ? -1 : node.Version);
        node.Version = insert ? 1 : node.Version + 1;
    }
}
