using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using FlowMesh.Engine.Actors;
using FlowMesh.Engine.Agent.Protocol;
using FlowMesh.Engine.Executors;
using FlowMesh.Engine.Runtime;

namespace FlowMesh.Engine.Agent;

/// <summary>
/// <c>flowmesh node</c>: registers this machine with a server, long-polls for work (the server answers the moment a
/// task is placed here), heartbeats to renew its leases, runs each task's executor with the GPUs it was given, streams
/// its logs, uploads its results directory and reports the end under the attempt it holds. Stopping drains: no new
/// work, running tasks get <see cref="NodeAgentOptions.DrainTimeout"/> to finish, the rest are handed back.
/// </summary>
internal sealed partial class RemoteNodeAgent(NodeAgentOptions options, IReadOnlyList<IExecutor> executors, TimeProvider time, Action<string> say) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<TaskLease, (CancellationTokenSource Cts, Task Run)> _running = new();
    private readonly Dictionary<string, IExecutor> _byType = executors.ToDictionary(e => e.TaskType, StringComparer.Ordinal);
    private readonly SemaphoreSlim _registering = new(1, 1);
    private readonly AgentHttp _http = new(options.Servers, options.Token);
    private readonly CancellationTokenSource _abort = new();
    private NodeWelcome? _welcome;
    private volatile bool _draining;
    private List<string> _advertised = [];
    private NodeActor? _account;

    public string NodeId { get; } = options.NodeId ?? StableNodeId(options.WorkDirectory);

    public NodeCapacity Capacity { get; } = MachineInfo.Capacity(options, executors.Select(e => e.TaskType));

    public IReadOnlyCollection<TaskLease> Running => [.. _running.Keys];

    /// <summary>This node's own exact account of what is free (made on first use, once the id and capacity are known).</summary>
    private NodeActor Account => _account ??= new NodeActor(NodeId, Capacity);

    /// <summary>Runs until <paramref name="stop"/> fires, then drains and leaves.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        Directory.CreateDirectory(options.WorkDirectory);
        await RegisterAsync(stop).ConfigureAwait(false);
        if (stop.IsCancellationRequested)
        {
            return;
        }

        using var loops = CancellationTokenSource.CreateLinkedTokenSource(_abort.Token);
        var poll = Task.Run(() => PollLoopAsync(stop), CancellationToken.None);
        var beat = Task.Run(() => HeartbeatLoopAsync(loops.Token), CancellationToken.None);
        try
        {
            await Task.Delay(Timeout.Infinite, stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        await DrainAsync().ConfigureAwait(false);
        await loops.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(Quiet(poll), Quiet(beat)).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _abort.CancelAsync().ConfigureAwait(false);
        foreach (var entry in _running.Values)
        {
            await entry.Cts.CancelAsync().ConfigureAwait(false);
        }

        await Task.WhenAll(_running.Values.Select(e => Quiet(e.Run))).ConfigureAwait(false);
        foreach (var disposable in executors.OfType<IAsyncDisposable>())
        {
            await disposable.DisposeAsync().ConfigureAwait(false);
        }

        _http.Dispose();
        _abort.Dispose();
        _registering.Dispose();
    }

    private async Task RegisterAsync(CancellationToken stop)
    {
        var epoch = _welcome?.Epoch;
        await _registering.WaitAsync(stop).ConfigureAwait(false);
        try
        {
            if (_welcome is not null && _welcome.Epoch != epoch)
            {
                return; // another loop registered again while this one waited
            }

            var backoff = TimeSpan.FromMilliseconds(250);
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var identity = ProcessIdentity.Current;
                    var welcome = await _http.RegisterAsync(new NodeRegistration(NodeId, identity.Host, identity.Pid, identity.StartTicks, Capacity, [.. _running.Keys]), stop)
                        .ConfigureAwait(false);
                    _welcome = welcome;
                    Cancel(welcome.Cancel, "the server gave it to another attempt");
                    say($"registered as {welcome.NodeId} (epoch {welcome.Epoch}): {Describe(Capacity)}");
                    return;
                }
                catch (HttpRequestException ex)
                {
                    say($"cannot register with {string.Join(", ", options.Servers)}: {ex.Message}; retrying in {backoff.TotalSeconds:0.##}s");
                }

                await Task.Delay(backoff, time, stop).ConfigureAwait(false);
                backoff = TimeSpan.FromMilliseconds(Math.Min(backoff.TotalMilliseconds * 2, 5000));
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        finally
        {
            _registering.Release();
        }
    }

    private async Task PollLoopAsync(CancellationToken stop)
    {
        var backoff = TimeSpan.FromMilliseconds(250);
        while (!stop.IsCancellationRequested && !_draining)
        {
            var welcome = _welcome!;
            try
            {
                var batch = await _http.PollAsync(NodeId, welcome.Epoch, options.PollWait, stop).ConfigureAwait(false);
                backoff = TimeSpan.FromMilliseconds(250);
                Cancel(batch.Cancel, "the server stopped it");
                foreach (var item in batch.Tasks)
                {
                    Launch(item);
                }
            }
            catch (StaleEpochException)
            {
                say("the server no longer knows this node (it restarted or lost us); registering again");
                await RegisterAsync(stop).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !stop.IsCancellationRequested)
            {
                say($"work poll failed: {ex.Message}; retrying in {backoff.TotalSeconds:0.##}s");
                await Task.Delay(backoff, time, stop).ConfigureAwait(false);
                backoff = TimeSpan.FromMilliseconds(Math.Min(backoff.TotalMilliseconds * 2, 5000));
            }
        }
    }

    private async Task HeartbeatLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var welcome = _welcome!;
            await Task.Delay(TimeSpan.FromSeconds(welcome.HeartbeatSeconds), time, cancellationToken).ConfigureAwait(false);
            try
            {
                var warm = WarmModels();
                var reply = await _http.HeartbeatAsync(NodeId, new Heartbeat(welcome.Epoch, [.. _running.Keys], _draining, warm), cancellationToken).ConfigureAwait(false);
                if (!warm.SequenceEqual(_advertised, StringComparer.Ordinal))
                {
                    _advertised = warm;
                    say($"warm models: {(warm.Count == 0 ? "none" : string.Join(", ", warm))}");
                }

                Cancel(reply.Cancel, "its lease is no longer this node's");
            }
            catch (StaleEpochException)
            {
                say("heartbeat refused: epoch is stale; registering again");
                await RegisterAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                say($"heartbeat failed: {ex.Message}");
            }
        }
    }

    /// <summary>Models declared warm plus those a model server on this node holds loaded now.</summary>
    private List<string> WarmModels() =>
        [.. options.WarmModels.Concat(executors.OfType<Containers.ModelServerExecutor>().SelectMany(e => e.Pool.Servers.Select(s => s.Model))).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    private void Cancel(IEnumerable<TaskLease> leases, string why)
    {
        foreach (var lease in leases)
        {
            if (_running.TryGetValue(lease, out var entry))
            {
                say($"stopping {lease.WorkflowId}#{lease.Index} attempt {lease.Attempt}: {why}");
                entry.Cts.Cancel();
            }
        }
    }

    private void Launch(WorkItem item)
    {
        var lease = new TaskLease(item.WorkflowId, item.Index, item.Attempt);
        if (_running.ContainsKey(lease))
        {
            return;
        }

        // The node keeps its own exact account: work the server placed that does not fit what is free here (the two
        // disagree only after a failure on one side) is refused rather than over-committing the machine.
        bool reserved;
        lock (Account)
        {
            reserved = Account.TryReserveExact(item.Resources, [.. item.Gpus]);
        }

        if (!reserved)
        {
            say($"refusing {item.WorkflowId}/{item.TaskName} attempt {item.Attempt}: it does not fit what is free on this node");
            _ = Quiet(_http.ReportAsync(NodeId, lease, new TaskReport(item.Attempt, true, false, null,
                $"node {NodeId} refused it: {Account.WhyNotNow(item.Resources)} (the server's account of this node was out of date)", [], Refused: true), _abort.Token));
            return;
        }

        var cts = CancellationTokenSource.CreateLinkedTokenSource(_abort.Token);
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = Task.Run(async () =>
        {
            await start.Task.ConfigureAwait(false);
            await RunTaskAsync(item, lease, cts.Token).ConfigureAwait(false);
        }, CancellationToken.None);
        _running[lease] = (cts, run);
        start.SetResult();
        _ = run.ContinueWith(_ =>
        {
            if (_running.TryRemove(lease, out var entry))
            {
                entry.Cts.Dispose();
            }

            lock (Account)
            {
                Account.Release(item.Resources, item.Gpus);
            }
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        say($"running {item.WorkflowId}/{item.TaskName} ({item.TaskType}) attempt {item.Attempt}{(item.Gpus.Count > 0 ? $" on GPUs {string.Join(',', item.Gpus)}" : string.Empty)}");
    }

    private static async Task Quiet(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or HttpRequestException)
        {
        }
    }

    private static string Describe(NodeCapacity c) =>
        $"{c.CpuMillis / 1000.0:0.##} CPUs, {Workflows.Schema.Quantities.FormatBytes(c.MemoryBytes)}, {c.Slots} slots, " +
        $"{(c.Gpus.Count == 0 ? "no GPUs" : string.Join(", ", c.Gpus.Select(g => $"GPU{g.Index} {g.Name}")))}; runs {string.Join(", ", c.TaskTypes)}";

    private static string StableNodeId(string workDirectory)
    {
        var file = Path.Combine(workDirectory, "node-id");
        if (File.Exists(file) && File.ReadAllText(file).Trim() is { Length: > 0 } existing)
        {
            return existing;
        }

        var host = Runtime.DataDirectory.SafeName(Environment.MachineName.ToLowerInvariant());
        var id = $"node-{host}-{Guid.NewGuid().ToString("N")[..6]}";
        Directory.CreateDirectory(workDirectory);
        File.WriteAllText(file, id);
        return id;
    }

    private static JsonNode? Clone(JsonNode? node) => node?.DeepClone();

    private static Channel<IReadOnlyList<LogLine>> LogChannel() =>
        Channel.CreateUnbounded<IReadOnlyList<LogLine>>(new UnboundedChannelOptions { SingleReader = true });
}
