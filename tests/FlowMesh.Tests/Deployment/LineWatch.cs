namespace FlowMesh.Tests.Deployment;

/// <summary>Lines a process printed, and a wait for the first one that contains a text (a barrier, not a sleep).</summary>
internal sealed class LineWatch
{
    private readonly List<string> _lines = [];
    private readonly List<(string Text, TaskCompletionSource<string> Done)> _waiters = [];

    public void Add(string line)
    {
        lock (_lines)
        {
            _lines.Add(line);
            foreach (var waiter in _waiters.Where(w => line.Contains(w.Text, StringComparison.Ordinal)).ToList())
            {
                _waiters.Remove(waiter);
                waiter.Done.TrySetResult(line);
            }
        }
    }

    public async Task<string> WaitAsync(string text, TimeSpan timeout)
    {
        var done = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lines)
        {
            if (_lines.FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal)) is { } seen)
            {
                return seen;
            }

            _waiters.Add((text, done));
        }

        try
        {
            return await done.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            lock (_lines)
            {
                throw new TimeoutException($"no line with '{text}' within {timeout}; the output:\n{string.Join('\n', _lines)}");
            }
        }
    }
}
