using System.Text.Json;
using FlowMesh.Engine.Agent.Protocol;
using FlowMesh.Engine.Runtime;
using FlowMesh.Server.Api;
using FlowMesh.Server.Hosting;
using FlowMesh.Workflows;

namespace FlowMesh.Server.Cluster;

/// <summary>
/// A replica of a cluster: commands go into the store's inbox and the sender waits for the leader's answer (woken by
/// its notification, checking the row now and then in case one was lost). Work for a node is read from the node's
/// queue in the store, so a long poll on any replica gets what any leader placed.
/// </summary>
internal sealed class ClusterGateway(StoreAccess stores, StoreNotifications notifications, ClusterCoordinator coordinator, ServerOptions options,
    TimeProvider time, Microsoft.Extensions.Hosting.IHostApplicationLifetime lifetime) : IEngineGateway
{
    private static readonly TimeSpan Recheck = TimeSpan.FromMilliseconds(500);

    public EngineCounters? Counters => coordinator.Engine?.Counters;

    public Task<string> SubmitAsync(WorkflowDefinition definition, string tenant, string? submitter, CancellationToken cancellationToken) =>
        SendAsync<string>(InboxKind.Submit, new InboxCommand(Definition: definition, Tenant: tenant, Submitter: submitter),
            e => e.SubmitAsync(definition, tenant, submitter, cancellationToken), cancellationToken);

    public Task<string> CancelAsync(string workflowId, string reason, CancellationToken cancellationToken) =>
        SendAsync<string>(InboxKind.Cancel, new InboxCommand(WorkflowId: workflowId, Reason: reason),
            e => e.CancelAsync(workflowId, reason, cancellationToken), cancellationToken);

    public Task<string> PauseAsync(string workflowId, bool paused, CancellationToken cancellationToken) =>
        SendAsync<string>(InboxKind.Pause, new InboxCommand(WorkflowId: workflowId, Cordoned: paused),
            e => e.PauseAsync(workflowId, paused, cancellationToken), cancellationToken);

    public Task<int> RetryAsync(string workflowId, CancellationToken cancellationToken) =>
        SendAsync<int>(InboxKind.Retry, new InboxCommand(WorkflowId: workflowId),
            e => e.RetryAsync(workflowId, cancellationToken), cancellationToken);

    public Task<string> StopTaskAsync(string workflowId, string task, string reason, CancellationToken cancellationToken) =>
        SendAsync<string>(InboxKind.Stop, new InboxCommand(WorkflowId: workflowId, Task: task, Reason: reason),
            e => e.StopTaskAsync(workflowId, task, reason, cancellationToken), cancellationToken);

    // The decision rides in Cordoned, the signer in Reason and the gate in Index: the inbox body is one flat record.
    public Task<SignalOutcome> SignalAsync(string workflowId, string task, int gate, bool approve, string by, System.Text.Json.Nodes.JsonNode? data, CancellationToken cancellationToken) =>
        SendAsync<SignalOutcome>(InboxKind.Signal, new InboxCommand(WorkflowId: workflowId, Task: task, Index: gate, Cordoned: approve, Reason: by, Data: data),
            e => e.SignalAsync(workflowId, task, gate, approve, by, data, cancellationToken), cancellationToken);

    public Task<bool> CordonAsync(string nodeId, bool cordoned, CancellationToken cancellationToken) =>
        SendAsync<bool>(InboxKind.Cordon, new InboxCommand(NodeId: nodeId, Cordoned: cordoned),
            e => e.CordonAsync(nodeId, cordoned, cancellationToken), cancellationToken);

    public Task<NodeWelcome> RegisterNodeAsync(NodeRegistration registration, CancellationToken cancellationToken) =>
        SendAsync<NodeWelcome>(InboxKind.Register, new InboxCommand(Registration: registration),
            e => e.RegisterNodeAsync(registration, cancellationToken), cancellationToken);

    public Task<HeartbeatReply> HeartbeatAsync(string nodeId, Heartbeat beat, CancellationToken cancellationToken) =>
        SendAsync<HeartbeatReply>(InboxKind.Heartbeat, new InboxCommand(NodeId: nodeId, Beat: beat),
            e => e.HeartbeatAsync(nodeId, beat, cancellationToken), cancellationToken);

    public Task<bool> ReportAsync(string nodeId, string workflowId, int index, TaskReport report, CancellationToken cancellationToken) =>
        SendAsync<bool>(InboxKind.Report, new InboxCommand(NodeId: nodeId, WorkflowId: workflowId, Index: index, Report: report),
            e => e.ReportAsync(nodeId, workflowId, index, report, cancellationToken), cancellationToken);

    public Task<bool> LeaveNodeAsync(string nodeId, LeaveRequest request, CancellationToken cancellationToken) =>
        SendAsync<bool>(InboxKind.Leave, new InboxCommand(NodeId: nodeId, Leave: request),
            e => e.LeaveNodeAsync(nodeId, request, cancellationToken), cancellationToken);

    public async Task<WorkBatch> TakeWorkAsync(string nodeId, long epoch, TimeSpan wait, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + wait;
        while (true)
        {
            var signal = notifications.NodeWork(nodeId);
            IReadOnlyList<string>? bodies;
            using (var store = stores.Open())
            {
                bodies = store.TakeNodeWork(nodeId, epoch);
            }

            if (bodies is null)
            {
                throw new StaleEpochException($"node {nodeId} epoch {epoch} is not current; register again");
            }

            if (bodies.Count > 0)
            {
                var batches = bodies.Select(b => JsonSerializer.Deserialize<WorkBatch>(b, ProtocolJson.Options)!).ToList();
                return new WorkBatch([.. batches.SelectMany(b => b.Tasks)], [.. batches.SelectMany(b => b.Cancel)]);
            }

            var left = deadline - time.GetUtcNow();
            if (left <= TimeSpan.Zero || lifetime.ApplicationStopping.IsCancellationRequested)
            {
                return new WorkBatch([], []);
            }

            // Woken by the leader's notification; the periodic look covers one lost while the listener reconnected.
            await Task.WhenAny(signal, Task.Delay(left < Recheck * 4 ? left : Recheck * 4, time, cancellationToken),
                Task.Delay(Timeout.Infinite, lifetime.ApplicationStopping)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private async Task<T> SendAsync<T>(string kind, InboxCommand command, Func<FlowMeshEngine, Task<T>> direct, CancellationToken cancellationToken)
    {
        if (coordinator.Engine is { } engine && !engine.Completion.IsCompleted)
        {
            return await DirectAsync(kind, engine, direct).ConfigureAwait(false);
        }

        long id;
        using (var store = stores.Open())
        {
            id = store.PostInbox(kind, JsonSerializer.Serialize(command, ProtocolJson.Options), options.ReplicaId);
        }

        var deadline = time.GetUtcNow() + options.CommandTimeout;
        try
        {
            while (true)
            {
                var answered = notifications.InboxAnswered(id);
                using (var store = stores.Open())
                {
                    var outcome = store.GetInboxOutcome(id);
                    if (outcome.Answered)
                    {
                        return outcome.Failure is { } failure
                            ? throw InboxFailure.Decode(failure, outcome.Status)
                            : JsonSerializer.Deserialize<T>(outcome.Reply!, ProtocolJson.Options)!;
                    }

                    if (outcome.TakenTerm is { } taken && store.CurrentLeader() is { } leader && leader.Term > taken)
                    {
                        throw new ApiException(503, "leader_changed",
                            $"the leader that took this {kind} (term {taken}) stopped before answering; it may or may not have been applied, so check before retrying")
                        {
                            RetryAfter = TimeSpan.FromSeconds(1),
                        };
                    }
                }

                var left = deadline - time.GetUtcNow();
                if (left <= TimeSpan.Zero)
                {
                    // Withdrawn, it can never be applied late; if a leader took it just now, its answer is moments away.
                    using var store = stores.Open();
                    if (store.WithdrawInbox(id))
                    {
                        throw new ApiException(503, "no_leader", $"no cluster leader took this {kind} within {options.CommandTimeout.TotalSeconds:0} s; it was not applied")
                        {
                            RetryAfter = TimeSpan.FromSeconds(1),
                        };
                    }

                    left = Recheck;
                }

                await Task.WhenAny(answered, Task.Delay(left < Recheck ? left : Recheck, time, cancellationToken)).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
            }
        }
        finally
        {
            notifications.ForgetAnswer(id);
        }
    }

    /// <summary>
    /// This replica leads: its own engine takes the command without the inbox's round trips (post, claim, answer, two
    /// notifications), with the answers the inbox would give. If the engine stops under it (leadership lost, store
    /// failed), the command may or may not have been applied, as when a leader dies holding an inbox row.
    /// </summary>
    private static async Task<T> DirectAsync<T>(string kind, FlowMeshEngine engine, Func<FlowMeshEngine, Task<T>> direct)
    {
        Task<T> call;
        try
        {
            call = direct(engine);
            await Task.WhenAny(call, engine.Completion).ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            throw LeaderChanged(kind);
        }

        if (!call.IsCompleted)
        {
            throw LeaderChanged(kind);
        }

        try
        {
            return await call.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not ApiException)
        {
            if (ex is Engine.Store.LeadershipLostException || engine.Completion.IsCompleted)
            {
                throw LeaderChanged(kind);
            }

            var (failure, status) = InboxFailure.Encode(ex);
            throw InboxFailure.Decode(failure, status);
        }
    }

    private static ApiException LeaderChanged(string kind) =>
        new(503, "leader_changed", $"this replica stopped leading before it answered this {kind}; it may or may not have been applied, so check before retrying")
        {
            RetryAfter = TimeSpan.FromSeconds(1),
        };
}
