using FlowMesh.Abstractions;
using FlowMesh.Runtime.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace FlowMesh.Runtime.Grains;

/// <summary>
/// One node: its registration and epoch (durable), and in memory its agent's observer, its last heartbeat, what the
/// agent says it runs and what was assigned to it. Task grains ask it whether their attempt is still held; a node
/// silent past the lease holds nothing. Reentrant: its calls only read and change memory between its few awaits.
/// </summary>
[Reentrant]
internal sealed partial class NodeGrain(
    [PersistentState("node", RuntimeNames.Storage)] IPersistentState<NodeRecord> record,
    IOptions<RuntimeOptions> options,
    TimeProvider time,
    ILogger<NodeGrain> logger) : Grain, INodeGrain
{
    private readonly Dictionary<TaskRef, NodeAssignment> _assigned = [];
    private HashSet<RunningAttempt> _running = [];
    private INodeAgent? _agent;
    private DateTimeOffset _lastHeartbeat;
    private DateTimeOffset _activatedAt;
    private bool _heardSinceActivation;
    private IGrainTimer? _liveness;

    private string Id => this.GetPrimaryKeyString();

    private RuntimeOptions Options => options.Value;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _activatedAt = time.GetUtcNow();
        _lastHeartbeat = _activatedAt;
        if (record.State.State is NodeState.Up or NodeState.Draining)
        {
            ArmLiveness();
        }

        return base.OnActivateAsync(cancellationToken);
    }

    public async Task<NodeWelcome> RegisterAsync(NodeRegistration registration, INodeAgent agent)
    {
        record.State.Registration = registration;
        record.State.Epoch++;
        record.State.State = NodeState.Up;
        await record.WriteStateAsync();
        _agent = agent;
        _lastHeartbeat = time.GetUtcNow();
        _heardSinceActivation = true;
        _running = [.. registration.Running];

        // What was given to the node's previous life and is not in its list is gone with it: the lease check says so.
        foreach (var key in _assigned.Keys.Where(k => !_running.Contains(new RunningAttempt(k, _assigned[k].Placed.Attempt))).ToList())
        {
            _assigned.Remove(key);
        }

        LogRegistered(logger, Id, record.State.Epoch, registration.Slots, registration.Gpus.Length);
        ArmLiveness();
        await TellPlacementAsync();
        return new NodeWelcome(record.State.Epoch, Options.HeartbeatInterval, Options.Lease);
    }

    public async Task<HeartbeatReply> HeartbeatAsync(long epoch, RunningAttempt[] running)
    {
        if (epoch != record.State.Epoch || record.State.State is not (NodeState.Up or NodeState.Draining))
        {
            return new HeartbeatReply(false, []);
        }

        var now = time.GetUtcNow();
        _lastHeartbeat = now;
        _running = [.. running];
        var stop = new List<RunningAttempt>();
        if (_heardSinceActivation)
        {
            // Attempts the agent runs that this node no longer holds (cancelled, or given up as lost meanwhile).
            stop.AddRange(running.Where(r => !_assigned.TryGetValue(r.Task, out var a) || a.Placed.Attempt != r.Attempt));
        }
        else
        {
            // This activation lost its memory with a silo: adopt what the agent runs; task grains still decide.
            _heardSinceActivation = true;
        }

        foreach (var (key, a) in _assigned.ToList())
        {
            if (_running.Contains(new RunningAttempt(key, a.Placed.Attempt)))
            {
                a.Seen = true;
                a.GoneSince = null;
            }
            else if (a.Seen)
            {
                // It finished on the agent. Its release normally comes with the report; if that release was lost (a
                // silo moving), the attempt is dropped a lease later, so its room is not held forever.
                a.GoneSince ??= now;
                if (now - a.GoneSince.Value > Options.Lease)
                {
                    _assigned.Remove(key);
                }
            }
            else if (now - a.SentAt >= Options.HeartbeatInterval * 2 && _agent is { } agent)
            {
                // At least once: an assignment the agent has not started two heartbeats after it was sent goes again.
                a.SentAt = now;
                await agent.RunAsync(a.Assignment);
            }
        }

        await TellPlacementAsync();
        return new HeartbeatReply(true, [.. stop]);
    }

    public async Task LeaveAsync(long epoch)
    {
        if (epoch != record.State.Epoch || record.State.State == NodeState.Left)
        {
            return;
        }

        await MoveAsync(NodeState.Left);
    }

    public async Task AssignAsync(WorkAssignment assignment, PlacedAttempt placed)
    {
        var entry = new NodeAssignment(assignment, placed) { SentAt = time.GetUtcNow() };
        _assigned[placed.Task] = entry;
        if (_agent is { } agent)
        {
            await agent.RunAsync(assignment);
        }
    }

    public async Task ReleaseAsync(TaskRef task, int attempt, bool stop)
    {
        if (_assigned.TryGetValue(task, out var a) && a.Placed.Attempt == attempt)
        {
            _assigned.Remove(task);
        }

        _running.Remove(new RunningAttempt(task, attempt));
        if (stop && _agent is { } agent)
        {
            await agent.StopAsync(task, attempt);
        }
    }

    public async Task<LeaseStatus> CheckLeaseAsync(TaskRef task, int attempt)
    {
        var now = time.GetUtcNow();
        if (record.State.State is NodeState.Up or NodeState.Draining && now - _lastHeartbeat > Options.Lease)
        {
            await MoveAsync(NodeState.Lost);
        }

        if (record.State.State is NodeState.Lost or NodeState.Left)
        {
            return LeaseStatus.Lost;
        }

        if ((_assigned.TryGetValue(task, out var a) && a.Placed.Attempt == attempt) || _running.Contains(new RunningAttempt(task, attempt)))
        {
            return LeaseStatus.Held;
        }

        // A fresh activation knows nothing yet: give the agent a lease to say what it runs.
        return !_heardSinceActivation && now - _activatedAt <= Options.Lease ? LeaseStatus.Held : LeaseStatus.Lost;
    }

    public async Task SetCordonAsync(bool cordoned)
    {
        record.State.Cordoned = cordoned;
        await record.WriteStateAsync();
        await TellPlacementAsync();
    }

    public Task<NodeSnapshot> GetAsync() => Task.FromResult(new NodeSnapshot(Id, record.State.State, record.State.Epoch, record.State.Cordoned, _lastHeartbeat, record.State.Registration, [.. _running]));

    private void ArmLiveness()
    {
        _liveness ??= this.RegisterGrainTimer(_ => CheckLivenessAsync(), new GrainTimerCreationOptions(Options.HeartbeatInterval, Options.HeartbeatInterval) { KeepAlive = true, Interleave = true });
    }

    private async Task CheckLivenessAsync()
    {
        if (record.State.State is NodeState.Up or NodeState.Draining && time.GetUtcNow() - _lastHeartbeat > Options.Lease)
        {
            await MoveAsync(NodeState.Lost);
        }
    }

    private async Task MoveAsync(NodeState to)
    {
        StateMachines.Node.Ensure(record.State.State, to);
        record.State.State = to;
        await record.WriteStateAsync();
        if (to is NodeState.Lost or NodeState.Left)
        {
            LogGone(logger, Id, to);
            _agent = null;
            _assigned.Clear();
            _running.Clear();
            _liveness?.Dispose();
            _liveness = null;
        }

        await TellPlacementAsync();
    }

    private Task TellPlacementAsync()
    {
        if (record.State.Registration is not { } registration)
        {
            return Task.CompletedTask;
        }

        var account = new NodeAccount(Id, record.State.Epoch, record.State.State, record.State.Cordoned, registration, [.. _assigned.Values.Select(a => a.Placed)]);
        return GrainFactory.GetGrain<IPlacementGrain>(0).NodeChangedAsync(account);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "node {Node} registered (epoch {Epoch}, {Slots} slots, {Gpus} GPUs)")]
    private static partial void LogRegistered(ILogger logger, string node, long epoch, int slots, int gpus);

    [LoggerMessage(Level = LogLevel.Warning, Message = "node {Node} is {State}: what it held runs again elsewhere")]
    private static partial void LogGone(ILogger logger, string node, NodeState state);
}
