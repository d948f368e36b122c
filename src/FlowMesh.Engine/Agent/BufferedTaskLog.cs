using FlowMesh.Engine.Executors;
using FlowMesh.Engine.Runtime;

namespace FlowMesh.Engine.Agent;

/// <summary>Collects an executor's lines and hands them to the engine in batches, so a chatty task costs few events.</summary>
internal sealed class BufferedTaskLog(TimeProvider time, int batchLines, Action<IReadOnlyList<LogLine>> flush) : ITaskLog
{
    private const int MaxKeptLines = 10_000;
    private readonly Lock _gate = new();
    private readonly List<LogLine> _pending = [];
    private readonly List<LogLine> _all = [];

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

    public void Write(string stream, string line)
    {
        LogLine[]? batch = null;
        lock (_gate)
        {
            var entry = new LogLine(time.GetUtcNow(), stream, line);
            _pending.Add(entry);
            if (_all.Count < MaxKeptLines)
            {
                _all.Add(entry);
            }

            if (_pending.Count >= batchLines)
            {
                batch = [.. _pending];
                _pending.Clear();
            }
        }

        if (batch is not null)
        {
            flush(batch);
        }
    }

    public IReadOnlyList<LogLine> Drain()
    {
        lock (_gate)
        {
            LogLine[] rest = [.. _pending];
            _pending.Clear();
            return rest;
        }
    }
}
