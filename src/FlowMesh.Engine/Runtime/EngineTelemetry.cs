using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using FlowMesh.Engine.Actors;
using FlowMesh.Abstractions;

namespace FlowMesh.Engine.Runtime;

/// <summary>
/// The engine's traces and metrics. One trace per workflow (a span from submit to its end) and one child span per task
/// attempt (from ready to its end, so queue and run time are both in it); its W3C context goes to the executor as
/// TRACEPARENT. Spans and instrument updates happen on the writer loop only; gauges read snapshots the loop publishes.
/// Nothing here costs more than a null check when no listener is attached.
/// </summary>
internal sealed class EngineTelemetry : IDisposable
{
    public const string SourceName = "FlowMesh.Engine";
    public const string MeterName = "FlowMesh.Engine";

    public static readonly ActivitySource Source = new(SourceName, typeof(EngineTelemetry).Assembly.GetName().Version?.ToString(3));

    private static readonly TaskState[] ActiveStates = [TaskState.Pending, TaskState.Ready, TaskState.Running];

    private readonly Meter _meter = new(MeterName, typeof(EngineTelemetry).Assembly.GetName().Version?.ToString(3));
    private readonly Counter<long> _transitions;
    private readonly Histogram<double> _dispatchLatency;
    private readonly Counter<long> _leaseExpiries;
    private readonly Counter<long> _retries;
    private readonly long[] _active = new long[ActiveStates.Length];
    private readonly ConcurrentDictionary<string, long> _queued = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Activity> _workflowSpans = new(StringComparer.Ordinal);
    private readonly Dictionary<(string, int), Activity> _attemptSpans = [];
    private volatile NodeSample[] _nodes = [];
    private DateTimeOffset _nodesSampledAt;

    public EngineTelemetry()
    {
        _transitions = _meter.CreateCounter<long>("flowmesh.task.transitions", "{transition}", "Task state transitions, by the state entered.");
        _dispatchLatency = _meter.CreateHistogram<double>("flowmesh.task.dispatch_latency", "s", "From a task becoming ready to its placement on a node.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300] });
        _leaseExpiries = _meter.CreateCounter<long>("flowmesh.task.lease_expiries", "{lease}", "Task leases that ran out because their node went silent.");
        _retries = _meter.CreateCounter<long>("flowmesh.task.retries", "{attempt}", "Attempts placed after a task's first (requeues and retries).");
        _meter.CreateObservableGauge("flowmesh.tasks.active", ObserveActive, "{task}", "Unfinished tasks of the workflows this engine runs, by state.");
        _meter.CreateObservableGauge("flowmesh.queue.depth", ObserveQueue, "{task}", "Ready tasks waiting for a node, by tenant.");
        _meter.CreateObservableGauge("flowmesh.node.capacity", () => ObserveNodes(used: false), description: "What each live node has: cpu (millicores), memory (bytes), gpu, slots.");
        _meter.CreateObservableGauge("flowmesh.node.used", () => ObserveNodes(used: true), description: "What running tasks hold on each live node, in the units of flowmesh.node.capacity.");
    }

    public static bool Tracing => Source.HasListeners();

    /// <summary>A workflow's unfinished tasks join the gauges (after submit or when a runner loads it).</summary>
    public void Track(WorkflowActor wf) => Added(wf, wf.Tasks);

    /// <summary>Counts tasks of a workflow: all of a new or loaded one, or those a running one added (a map's items).</summary>
    public void Added(WorkflowActor wf, IEnumerable<TaskActor> tasks)
    {
        foreach (var t in tasks)
        {
            Adjust(wf.Tenant, t.State, +1);
        }
    }

    public void Moved(WorkflowActor wf, TaskActor t, TaskState from, TaskState to, DateTimeOffset now)
    {
        Adjust(wf.Tenant, from, -1);
        Adjust(wf.Tenant, to, +1);
        _transitions.Add(1, new KeyValuePair<string, object?>("state", to.ToString()));
        if (from == TaskState.Running)
        {
            EndAttempt(wf, t, to, now);
        }
    }

    public void Placed(WorkflowActor wf, TaskActor t, DateTimeOffset now)
    {
        var readyAt = t.ReadyAt ?? now;
        _dispatchLatency.Record(Math.Max(0, (now - readyAt).TotalSeconds), new KeyValuePair<string, object?>("tenant", wf.Tenant));
        if (t.Attempt > 1)
        {
            _retries.Add(1);
        }

        if (!Tracing || !_workflowSpans.TryGetValue(wf.Id, out var root))
        {
            return;
        }

        var span = Start($"task {t.Name}", root.Context, readyAt, ActivityKind.Internal);
        if (span is null)
        {
            return;
        }

        span.SetTag("flowmesh.workflow.id", wf.Id);
        span.SetTag("flowmesh.task.name", t.Name);
        span.SetTag("flowmesh.task.type", t.TaskType);
        span.SetTag("flowmesh.task.attempt", t.Attempt);
        span.SetTag("flowmesh.node.id", t.NodeId);
        span.SetTag("flowmesh.task.queue_ms", Math.Round((now - readyAt).TotalMilliseconds, 3));
        span.AddEvent(new ActivityEvent("placed", now));
        _attemptSpans[(wf.Id, t.Index)] = span;
    }

    /// <summary>The W3C traceparent of the task's running attempt, for its executor; null when tracing is off.</summary>
    public string? TraceParent(WorkflowActor wf, TaskActor t) => _attemptSpans.TryGetValue((wf.Id, t.Index), out var span) ? span.Id : null;

    /// <summary>
    /// Opens the workflow's span. A workflow taken over from another runner continues the trace it began in (the
    /// traceparent its submit event recorded), so a resumed workflow is still one trace.
    /// </summary>
    public string? WorkflowStarted(WorkflowActor wf, DateTimeOffset at, string? continues = null)
    {
        if (!Tracing)
        {
            return null;
        }

        var parent = continues is not null && ActivityContext.TryParse(continues, null, out var ctx) ? ctx : default;
        var span = Start(continues is null ? $"workflow {wf.Name}" : $"workflow {wf.Name} (resumed)", parent, at, ActivityKind.Internal);
        if (span is null)
        {
            return null;
        }

        span.SetTag("flowmesh.workflow.id", wf.Id);
        span.SetTag("flowmesh.workflow.name", wf.Name);
        span.SetTag("flowmesh.tenant", wf.Tenant);
        span.SetTag("flowmesh.workflow.tasks", wf.Tasks.Length);
        _workflowSpans[wf.Id] = span;
        return span.Id;
    }

    public void WorkflowEnded(WorkflowActor wf, WorkflowState state, DateTimeOffset at)
    {
        if (_workflowSpans.Remove(wf.Id, out var span))
        {
            span.SetTag("flowmesh.workflow.state", state.ToString());
            if (state != WorkflowState.Succeeded)
            {
                span.SetStatus(ActivityStatusCode.Error, wf.Error ?? state.ToString());
            }

            Stop(span, at);
        }
    }

    public void LeaseExpired() => _leaseExpiries.Add(1);

    /// <summary>
    /// Publishes the nodes' accounts for the gauges: when the loop goes idle, and under load at most once a second, so a
    /// busy loop does not pay O(nodes) every turn.
    /// </summary>
    public void SampleNodes(IEnumerable<NodeActor> nodes, DateTimeOffset now, bool idle)
    {
        if (!idle && now - _nodesSampledAt < TimeSpan.FromSeconds(1))
        {
            return;
        }

        _nodesSampledAt = now;
        _nodes = [.. nodes.Where(n => n.State == NodeState.Up).Select(n => new NodeSample(n.Id, n.Capacity.CpuMillis, n.Capacity.CpuMillis - n.FreeCpuMillis,
            n.Capacity.MemoryBytes, n.Capacity.MemoryBytes - n.FreeMemoryBytes, n.Capacity.Gpus.Count, n.Capacity.Gpus.Count - n.FreeGpus, n.Capacity.Slots, n.Running))];
    }

    public void Dispose()
    {
        foreach (var span in _attemptSpans.Values.Concat(_workflowSpans.Values))
        {
            span.SetTag("flowmesh.interrupted", true);
            span.Stop();
        }

        _attemptSpans.Clear();
        _workflowSpans.Clear();
        _meter.Dispose();
    }

    private void EndAttempt(WorkflowActor wf, TaskActor t, TaskState to, DateTimeOffset now)
    {
        if (!_attemptSpans.Remove((wf.Id, t.Index), out var span))
        {
            return;
        }

        if (t.StartedAt is { } started)
        {
            span.SetTag("flowmesh.task.run_ms", Math.Round((now - started).TotalMilliseconds, 3));
        }

        span.SetTag("flowmesh.task.state", to == TaskState.Ready ? "requeued" : to.ToString());
        if (to != TaskState.Succeeded)
        {
            span.SetStatus(ActivityStatusCode.Error, t.Error ?? to.ToString());
        }

        Stop(span, now);
    }

    private static Activity? Start(string name, ActivityContext parent, DateTimeOffset at, ActivityKind kind)
    {
        // Spans outlive the turn that opens them, so none may become the loop's ambient Activity.Current.
        var previous = Activity.Current;
        Activity.Current = null;
        var span = Source.CreateActivity(name, kind, parent);
        if (span is not null)
        {
            span.SetStartTime(at.UtcDateTime);
            span.Start();
        }

        Activity.Current = previous;
        return span;
    }

    private static void Stop(Activity span, DateTimeOffset at)
    {
        var previous = Activity.Current;
        span.SetEndTime(at.UtcDateTime);
        span.Stop();
        Activity.Current = previous;
    }

    private void Adjust(string tenant, TaskState state, int delta)
    {
        var i = Array.IndexOf(ActiveStates, state);
        if (i < 0)
        {
            return;
        }

        Interlocked.Add(ref _active[i], delta);
        if (state == TaskState.Ready)
        {
            _queued.AddOrUpdate(tenant, delta, (_, n) => n + delta);
        }
    }

    private IEnumerable<Measurement<long>> ObserveActive()
    {
        for (var i = 0; i < ActiveStates.Length; i++)
        {
            yield return new Measurement<long>(Interlocked.Read(ref _active[i]), new KeyValuePair<string, object?>("state", ActiveStates[i].ToString()));
        }
    }

    private IEnumerable<Measurement<long>> ObserveQueue() =>
        _queued.Select(kv => new Measurement<long>(kv.Value, new KeyValuePair<string, object?>("tenant", kv.Key)));

    private IEnumerable<Measurement<long>> ObserveNodes(bool used)
    {
        foreach (var n in _nodes)
        {
            var node = new KeyValuePair<string, object?>("node", n.Id);
            yield return new Measurement<long>(used ? n.CpuUsed : n.Cpu, node, new("resource", "cpu"));
            yield return new Measurement<long>(used ? n.MemoryUsed : n.Memory, node, new("resource", "memory"));
            yield return new Measurement<long>(used ? n.GpusUsed : n.Gpus, node, new("resource", "gpu"));
            yield return new Measurement<long>(used ? n.SlotsUsed : n.Slots, node, new("resource", "slots"));
        }
    }

    private sealed record NodeSample(string Id, long Cpu, long CpuUsed, long Memory, long MemoryUsed, long Gpus, long GpusUsed, long Slots, long SlotsUsed);
}
