using System.Threading.Channels;
using FlowMesh.Engine.Actors;
using FlowMesh.Engine.Agent;
using FlowMesh.Engine.Executors;
using FlowMesh.Abstractions;
using FlowMesh.Engine.Store;
using FlowMesh.Workflows;

namespace FlowMesh.Engine.Runtime;

/// <summary>
/// The embedded engine: workflow and task actors driven by one writer loop. Each turn drains the mailbox, applies every
/// transition to the actors and to one store transaction (group commit), places ready tasks on the node, commits, and
/// only then acknowledges callers, publishes events and launches executors. A crash at any point leaves the store at
/// the last commit, which <see cref="ResumeAsync"/> continues from.
/// </summary>
public sealed partial class FlowMeshEngine : IAsyncDisposable
{
    private readonly EngineOptions _options;
    private readonly TimeProvider _time;
    private readonly Channel<EngineCommand> _mailbox = Channel.CreateUnbounded<EngineCommand>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<string, WorkflowActor> _workflows = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TaskCompletionSource<WorkflowState>> _waiters = new(StringComparer.Ordinal);
    private readonly List<EventRow> _pendingEvents = [];
    private readonly List<Action> _afterCommit = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly IReadOnlyList<IExecutor> _executors;
    private readonly Dictionary<string, NodeActor> _nodes = new(StringComparer.Ordinal);
    private readonly EngineTelemetry _telemetry = new();
    private readonly Scheduling.Scheduler _scheduler;
    private readonly Secrets.SecretBox? _secretBox;
    private FlowMeshStore? _store;
    private NodeActor? _node;
    private EmbeddedNodeAgent? _agent;
    private ITimer? _leaseClock;
    private Task? _loop;
    private int _disposed;

    public FlowMeshEngine(EngineOptions options, TimeProvider time, IEnumerable<IExecutor>? executors = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _time = time;
        _scheduler = new Scheduling.Scheduler(options.Scheduler);
        _secretBox = Secrets.SecretBox.Parse(options.SecretKeys);
        _executors = [.. (executors ?? DefaultExecutors(options)).Where(e => e.IsAvailable)];
    }

    /// <summary>Raised after each commit with the events it made durable, in sequence order per workflow.</summary>
    public event Action<IReadOnlyList<EventRow>>? EventsCommitted;

    /// <summary>Raised after each commit with a row for every task attempt that ended on a node.</summary>
    public event Action<IReadOnlyList<UsageRow>>? UsageCommitted;

    public EngineCounters Counters { get; } = new();

    /// <summary>Completes when the writer loop stops; faulted when it stopped on an error (the store failed, leadership was lost).</summary>
    public Task Completion => _loop ?? Task.CompletedTask;

    public string DataDirectory => _options.DataDirectory;

    public string NodeId => _node?.Id ?? throw new InvalidOperationException("the engine is not started");

    public NodeCapacity NodeCapacity => _node?.Capacity ?? throw new InvalidOperationException("the engine is not started");

    internal FlowMeshStore Store => _store ?? throw new InvalidOperationException("the engine is not started");

    public static IEnumerable<IExecutor> DefaultExecutors(EngineOptions options) => NodeExecutors.Create(options.PythonInterpreter, options.Containers);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _store = FlowMeshStore.Open(_options.StoreLocation);
        var capacity = MachineInfo.Capacity(_options, _executors.Select(e => e.TaskType));
        var self = ProcessIdentity.Current;
        _node = new NodeActor($"embedded-{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}", capacity)
        {
            Cordoned = _options.StartCordoned,
            Host = self.Host,
            Pid = self.Pid,
            ProcessStart = self.StartTicks,
            HeartbeatAt = _time.GetUtcNow(),
        };
        using (var tx = _store.Begin())
        {
            SaveNode(tx, _node, insert: true);
            tx.Commit();
        }

        _nodes[_node.Id] = _node;
        _agent = new EmbeddedNodeAgent(_executors, _options, _time, report => _mailbox.Writer.TryWrite(report));
        _leaseClock = _time.CreateTimer(_ => _mailbox.Writer.TryWrite(EngineCommand.Tick.Instance), null, _options.LeaseCheckInterval, _options.LeaseCheckInterval);
        _loop = Task.Run(() => RunLoopAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <summary>Validates nothing (the parser did), stores the workflow and its tasks, and returns its id once durable.</summary>
    public Task<string> SubmitAsync(WorkflowDefinition definition, CancellationToken cancellationToken) =>
        SubmitAsync(definition, StoreSchema.DefaultTenant, null, cancellationToken);

    /// <summary>Stores a workflow for <paramref name="tenant"/>; its tasks count against that tenant's quotas.</summary>
    public Task<string> SubmitAsync(WorkflowDefinition definition, string tenant, string? submitter, CancellationToken cancellationToken)
    {
        var ack = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(new EngineCommand.Submit(definition, tenant, submitter, ack));
        return ack.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Takes over a workflow whose previous runner died: tasks it held go back to the queue; finished ones stay finished.</summary>
    public Task<string> ResumeAsync(string workflowId, CancellationToken cancellationToken)
    {
        var ack = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(new EngineCommand.Resume(workflowId, ack));
        return ack.Task.WaitAsync(cancellationToken);
    }

    public Task<string> CancelAsync(string workflowId, string reason, CancellationToken cancellationToken)
    {
        var ack = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(new EngineCommand.Cancel(workflowId, reason, ack));
        return ack.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Completes when the workflow reaches a terminal state.</summary>
    public Task<WorkflowState> WaitAsync(string workflowId, CancellationToken cancellationToken)
    {
        lock (_waiters)
        {
            if (!_waiters.TryGetValue(workflowId, out var tcs))
            {
                tcs = new TaskCompletionSource<WorkflowState>(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters[workflowId] = tcs;
                // The loop owns the store's connection; a waiter reads through a connection of its own.
                using var reader = FlowMeshStore.OpenReader(_options.StoreLocation);
                if (reader.GetWorkflow(workflowId) is { } row && Enum.Parse<WorkflowState>(row.State) is var s && StateMachines.Workflow.IsTerminal(s))
                {
                    tcs.TrySetResult(s);
                }
            }

            return tcs.Task.WaitAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        if (_leaseClock is not null)
        {
            await _leaseClock.DisposeAsync().ConfigureAwait(false);
        }

        _mailbox.Writer.TryComplete();
        _stopping.Cancel();
        foreach (var link in _links.Values)
        {
            link.Close();
        }

        if (_agent is not null)
        {
            await _agent.DisposeAsync().ConfigureAwait(false);
        }

        if (_loop is not null)
        {
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        if (_store is not null && _node is not null)
        {
            try
            {
                using var tx = _store.Begin();
                _node.State = NodeState.Left;
                _node.HeartbeatAt = _time.GetUtcNow();
                SaveNode(tx, _node, insert: false);
                tx.Commit();
            }
            catch (Exception ex) when (ex is StaleVersionException or System.Data.Common.DbException or InvalidOperationException)
            {
                // Leaving is best effort: a node that does not say goodbye is found dead by its process identity.
            }
        }

        _telemetry.Dispose();
        _store?.Dispose();
        _stopping.Dispose();
    }

    private void Post(EngineCommand command)
    {
        if (_loop is null)
        {
            throw new InvalidOperationException("the engine is not started");
        }

        if (!_mailbox.Writer.TryWrite(command))
        {
            throw new ObjectDisposedException(nameof(FlowMeshEngine));
        }
    }

    private async Task RunLoopAsync(CancellationToken cancellationToken)
    {
        var batch = new List<EngineCommand>();
        var dispatches = new List<Assignment>();
        try
        {
            while (await _mailbox.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                batch.Clear();
                while (batch.Count < _options.MaxBatch && _mailbox.Reader.TryRead(out var command))
                {
                    batch.Add(command);
                }

                dispatches.Clear();
                using (var tx = Store.Begin())
                {
                    if (_options.ClusterTerm is { } term)
                    {
                        tx.Fence(term);
                    }

                    foreach (var command in batch)
                    {
                        Apply(tx, command);
                    }

                    Schedule(tx, dispatches);
                    if (_options.ClusterTerm is not null)
                    {
                        StageForCluster(tx, dispatches);
                    }

                    FlushEvents(tx);
                    tx.Commit();
                }

                Counters.Commit();

                // A batch smaller than the limit emptied the mailbox: the loop is about to wait.
                AfterCommit(dispatches, idle: batch.Count < _options.MaxBatch);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Memory may now be ahead of the store: stop here and let a restart resume from the last commit.
            lock (_waiters)
            {
                foreach (var waiter in _waiters.Values)
                {
                    waiter.TrySetException(new InvalidOperationException($"the engine stopped: {ex.Message}", ex));
                }
            }

            foreach (var command in batch)
            {
                FailAck(command, ex);
            }

            throw;
        }
    }

    private void AfterCommit(List<Assignment> dispatches, bool idle)
    {
        var events = _pendingEvents.ToArray();
        _pendingEvents.Clear();
        foreach (var action in _afterCommit)
        {
            action();
        }

        _afterCommit.Clear();
        _telemetry.SampleNodes(_nodes.Values, _time.GetUtcNow(), idle);
        if (events.Length > 0)
        {
            EventsCommitted?.Invoke(events);
        }

        if (_pendingUsage.Count > 0)
        {
            var usage = _pendingUsage.ToArray();
            _pendingUsage.Clear();
            UsageCommitted?.Invoke(usage);
        }

        foreach (var assignment in dispatches)
        {
            if (assignment.NodeId == _node!.Id)
            {
                _agent!.Launch(assignment);
            }
            else if (_options.ClusterTerm is null && _links.TryGetValue(assignment.NodeId, out var link))
            {
                link.Deliver(ToWorkItem(assignment));
            }
        }
    }

    private static void FailAck(EngineCommand command, Exception ex)
    {
        switch (command)
        {
            case EngineCommand.Submit s: s.Ack.TrySetException(ex); break;
            case EngineCommand.Resume r: r.Ack.TrySetException(ex); break;
            case EngineCommand.Cancel c: c.Ack.TrySetException(ex); break;
            case EngineCommand.Pause p: p.Ack.TrySetException(ex); break;
            case EngineCommand.Retry r: r.Ack.TrySetException(ex); break;
            case EngineCommand.StopTask s: s.Ack.TrySetException(ex); break;
            case EngineCommand.Signal s: s.Ack.TrySetException(ex); break;
            case EngineCommand.Cordon c: c.Ack.TrySetException(ex); break;
            case EngineCommand.RegisterNode r: r.Ack.TrySetException(ex); break;
            case EngineCommand.NodeHeartbeat h: h.Ack.TrySetException(ex); break;
            case EngineCommand.LeaveNode l: l.Ack.TrySetException(ex); break;
            case EngineCommand.Finished f: f.Ack?.TrySetException(ex); break;
            case EngineCommand.Logs l: l.Ack?.TrySetException(ex); break;
        }
    }
}
