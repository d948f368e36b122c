using FlowMesh.Engine.Executors;
using FlowMesh.Engine.Runtime;

namespace FlowMesh.Engine.Agent;

/// <summary>
/// Collects an executor's lines and hands them on in batches, so a chatty task costs few events: a batch goes when it
/// is full or when its first line has waited <see cref="MaxDelay"/>, so a slow task's lines still arrive live.
/// </summary>
internal sealed class BufferedTaskLog(TimeProvider time, int batchLines, Action<IReadOnlyList<LogLine>> flush) : ITaskLog, IDisposable
{
    private const int MaxKeptLines = 10_000;
    private static readonly TimeSpan MaxDelay = TimeSpan.FromMilliseconds(500);
    private ITimer? _timer;
    private readonly Lock _gate = new();
    private readonly List<LogLine> _pending = [];
    private readonly List<LogLine> _all = [];

    /// <summary>Secret values to replace in every line, before it is buffered, sent or written.</summary>
    public IReadOnlyList<string> Redact { get; init; } = [];

    public IReadOnlyList<LogLine> All
    {
        get
        {
            lock (_gate)
            {
                return [.. _all];
            }
        }
    }

    /// <remarks>The flush callback only queues (it must not block): it runs under the lock, which keeps batches in order.</remarks>
    public void Write(string stream, string line)
    {
        lock (_gate)
        {
            var entry = new LogLine(time.GetUtcNow(), stream, Redact.Count > 0 ? Secrets.SecretRedaction.Apply(line, Redact) : line);
            _pending.Add(entry);
            if (_all.Count < MaxKeptLines)
            {
                _all.Add(entry);
            }

            if (_pending.Count >= batchLines)
            {
                flush([.. _pending]);
                _pending.Clear();
            }
            else if (_pending.Count == 1)
            {
                _timer ??= time.CreateTimer(_ => FlushPending(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                _timer.Change(MaxDelay, Timeout.InfiniteTimeSpan);
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _timer?.Dispose();
            _timer = null;
        }
    }

    private void FlushPending()
    {
        lock (_gate)
        {
            if (_pending.Count > 0)
            {
                flush([.. _pending]);
                _pending.Clear();
            }
        }
    }

    public IReadOnlyList<LogLine> Drain()
    {
        lock (_gate)
        {
            _timer?.Dispose();
            _timer = null;
            LogLine[] rest = [.. _pending];
            _pending.Clear();
            return rest;
        }
    }
}
