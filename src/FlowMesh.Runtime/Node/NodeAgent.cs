using System.Collections.Concurrent;
using FlowMesh.Abstractions;
using FlowMesh.Engine.Executors;
using Microsoft.Extensions.Logging;

namespace FlowMesh.Runtime.Node;

/// <summary>
/// A node agent on Orleans: it registers with its node grain, receives assignments through its grain observer, runs
/// each attempt's executor, writes results.json and logs.txt, and reports to the task grain with the attempt it was
/// given; heartbeats list what it runs. The embedded node and a remote agent (an Orleans client) are this same class.
/// </summary>
public sealed partial class NodeAgent : INodeAgent, IAsyncDisposable
{
    private readonly IGrainFactory _grains;
    private readonly NodeAgentSettings _settings;
    private readonly Dictionary<string, IExecutor> _executors;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<RunningAttempt, Run> _runs = new();
    private readonly CancellationTokenSource _stopping = new();
    private INodeAgent? _self;
    private long _epoch;
    private Task? _heartbeats;
    private TimeSpan _interval = TimeSpan.FromSeconds(3);
    private int _started;

    internal NodeAgent(IGrainFactory grains, NodeAgentSettings settings, IEnumerable<IExecutor> executors, TimeProvider time, ILogger logger)
    {
        _grains = grains;
        _settings = settings;
        _executors = executors.Where(e => e.IsAvailable).ToDictionary(e => e.TaskType, StringComparer.Ordinal);
        _time = time;
        _logger = logger;
    }

    public string NodeId => _settings.NodeId;

    public long Epoch => Interlocked.Read(ref _epoch);

    /// <summary>Attempts started since the agent began (each assignment once).</summary>
    public int Started => Volatile.Read(ref _started);

    private INodeGrain Node => _grains.GetGrain<INodeGrain>(_settings.NodeId);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _self = _grains.CreateObjectReference<INodeAgent>(this);
        var delay = TimeSpan.FromMilliseconds(200);
        while (true)
        {
            try
            {
                await RegisterAsync(cancellationToken);
                break;
            }
            catch (Exception ex) when (ex is OrleansException or TimeoutException && !cancellationToken.IsCancellationRequested)
            {
                // The cluster is healing (a silo died and is not yet declared dead): keep trying, as an agent must.
                LogRegisterRetry(_logger, NodeId, ex);
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }

        _heartbeats = Task.Run(() => HeartbeatLoopAsync(_stopping.Token), CancellationToken.None);
    }

    public Task RunAsync(WorkAssignment assignment)
    {
        var key = new RunningAttempt(assignment.Work.Task, assignment.Attempt);
        if (_stopping.IsCancellationRequested || _runs.ContainsKey(key))
        {
            return Task.CompletedTask;
        }

        var run = new Run(CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token));
        if (_runs.TryAdd(key, run))
        {
            Interlocked.Increment(ref _started);
            run.Task = Task.Run(() => ExecuteAsync(assignment, run), CancellationToken.None);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(TaskRef task, int attempt)
    {
        if (_runs.TryGetValue(new RunningAttempt(task, attempt), out var run))
        {
            run.Cancel();
        }

        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync();
        await Task.WhenAll(_runs.Values.Select(r => r.Task ?? Task.CompletedTask).Append(_heartbeats ?? Task.CompletedTask)).ConfigureAwait(false);
        try
        {
            await Node.LeaveAsync(Epoch);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Leaving is best effort: a node that does not say goodbye is found silent after its lease.
            LogLeaveFailed(_logger, NodeId, ex);
        }

        if (_self is not null)
        {
            _grains.DeleteObjectReference<INodeAgent>(_self);
        }

        foreach (var disposable in _executors.Values.OfType<IAsyncDisposable>())
        {
            await disposable.DisposeAsync().ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    private async Task RegisterAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var registration = new NodeRegistration(NodeId, _settings.CpuMillis, _settings.MemoryBytes, [.. _settings.Gpus], _settings.Slots, [.. _executors.Keys],
            new Dictionary<string, string>(_settings.Labels, StringComparer.Ordinal), [.. _settings.WarmModels], Environment.MachineName, [.. _runs.Keys]);
        var welcome = await Node.RegisterAsync(registration, _self!);
        Interlocked.Exchange(ref _epoch, welcome.Epoch);
        _interval = welcome.HeartbeatInterval;
    }

    private async Task HeartbeatLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_interval, _time, cancellationToken).ConfigureAwait(false);
                var reply = await Node.HeartbeatAsync(Epoch, [.. _runs.Keys]);
                if (!reply.Known)
                {
                    await RegisterAsync(cancellationToken);
                    continue;
                }

                foreach (var stop in reply.Stop)
                {
                    await StopAsync(stop.Task, stop.Attempt);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The cluster is busy or a silo is moving: the next beat tries again, well inside the lease.
                LogHeartbeatFailed(_logger, NodeId, ex);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "node {Node}: heartbeat failed; retrying")]
    private static partial void LogHeartbeatFailed(ILogger logger, string node, Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "node {Node}: could not register yet; retrying")]
    private static partial void LogRegisterRetry(ILogger logger, string node, Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "node {Node}: could not leave cleanly")]
    private static partial void LogLeaveFailed(ILogger logger, string node, Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "node {Node}: report for {Task} attempt {Attempt} failed; retrying")]
    private static partial void LogReportRetry(ILogger logger, string node, string task, int attempt, Exception ex);

    [LoggerMessage(Level = LogLevel.Information, Message = "node {Node}: report for {Task} attempt {Attempt} was {Outcome}")]
    private static partial void LogReported(ILogger logger, string node, string task, int attempt, ReportOutcome outcome);
}
