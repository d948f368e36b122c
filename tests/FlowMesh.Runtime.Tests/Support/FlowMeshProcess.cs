using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace FlowMesh.Runtime.Tests.Support;

/// <summary>
/// A <c>dotnet flowmesh.dll …</c> child process (a silo or an agent): its output lines are kept and can be awaited;
/// it can be stopped with SIGTERM, paused with SIGSTOP, or killed with SIGKILL.
/// </summary>
internal sealed class FlowMeshProcess : IAsyncDisposable
{
    private static readonly string Cli = Path.Combine(AppContext.BaseDirectory, "flowmesh.dll");
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly Lock _gate = new();
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Seen)> _waiters = [];

    public FlowMeshProcess(string name, IEnumerable<string> args, Action<string>? log = null)
    {
        Name = name;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args.Prepend(Cli))
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("FLOWMESH_STORE");
        _process = new Process { StartInfo = start, EnableRaisingEvents = true };
        _process.Exited += (_, _) => OnExit();
        _process.OutputDataReceived += (_, e) => OnLine(e.Data, log);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data, log);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Name { get; }

    public IReadOnlyCollection<string> Lines => _lines;

    public bool HasExited => _process.HasExited;

    /// <summary>Completes with the first line (already seen or to come) that <paramref name="match"/> accepts.</summary>
    public Task<string> WaitForLineAsync(Func<string, bool> match, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_lines.FirstOrDefault(match) is { } seen)
            {
                return Task.FromResult(seen);
            }

            if (_process.HasExited)
            {
                return Task.FromException<string>(new InvalidOperationException($"{Name} has exited; its last lines:\n{string.Join('\n', _lines.TakeLast(20))}"));
            }

            var tcs = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, tcs));
            return tcs.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>The exit code, once the process ended by itself.</summary>
    public async Task<int> ExitCodeAsync(CancellationToken cancellationToken)
    {
        await _process.WaitForExitAsync(cancellationToken);
        return _process.ExitCode;
    }

    public Task KillAsync() => SignalAsync("-KILL", wait: true);

    public Task PauseAsync() => SignalAsync("-STOP", wait: false);

    public Task ResumeAsync() => SignalAsync("-CONT", wait: false);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await SignalAsync("-CONT", wait: false);
            await SignalAsync("-TERM", wait: false);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
    }

    /// <summary>A process that exits fails whoever still waits for a line from it, with its last words.</summary>
    private void OnExit()
    {
        _process.WaitForExit();
        lock (_gate)
        {
            foreach (var w in _waiters)
            {
                w.Seen.TrySetException(new InvalidOperationException($"{Name} exited ({_process.ExitCode}) before the line came; its last lines:\n{string.Join('\n', _lines.TakeLast(20))}"));
            }

            _waiters.Clear();
        }
    }

    private void OnLine(string? line, Action<string>? log)
    {
        if (line is null)
        {
            return;
        }

        log?.Invoke($"[{Name}] {line}");
        lock (_gate)
        {
            _lines.Enqueue(line);
            foreach (var w in _waiters.Where(w => w.Match(line)).ToList())
            {
                _waiters.Remove(w);
                w.Seen.TrySetResult(line);
            }
        }
    }

    private async Task SignalAsync(string signal, bool wait)
    {
        if (_process.HasExited)
        {
            return;
        }

        using (var kill = Process.Start("kill", [signal, _process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        if (wait)
        {
            await _process.WaitForExitAsync();
        }
    }
}
