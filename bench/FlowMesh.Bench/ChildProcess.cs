using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace FlowMesh.Bench;

/// <summary>
/// A <c>dotnet flowmesh.dll …</c> process (server, node agent, silo) or another program (redis-server): output kept for
/// error messages, a line can be awaited, CPU time and resident memory read from /proc, SIGTERM to stop (SIGKILL after
/// <see cref="StopTimeout"/>).
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private static readonly string Cli = Path.Combine(AppContext.BaseDirectory, "flowmesh.dll");
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly List<(Func<string, string?> Match, TaskCompletionSource<string> Seen)> _awaited = [];

    /// <summary>Runs <c>dotnet flowmesh.dll ARGS</c>.</summary>
    public ChildProcess(IEnumerable<string> args, IReadOnlyDictionary<string, string> env)
        : this("dotnet", args.Prepend(Cli), env)
    {
    }

    /// <summary>Runs <paramref name="program"/> (looked up on PATH) with <paramref name="args"/>.</summary>
    public ChildProcess(string program, IEnumerable<string> args, IReadOnlyDictionary<string, string> env)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("FLOWMESH_SERVER");
        start.Environment.Remove("FLOWMESH_TOKEN");
        foreach (var (key, value) in env)
        {
            start.Environment[key] = value;
        }

        _process = new Process { StartInfo = start, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        _process.Exited += (_, _) =>
        {
            _process.WaitForExit();
            lock (_log)
            {
                foreach (var (_, seen) in _awaited)
                {
                    seen.TrySetException(new InvalidOperationException($"the process exited ({_process.ExitCode}):\n{_log}"));
                }
            }
        };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Pid => _process.Id;

    /// <summary>How long <see cref="DisposeAsync"/> waits after SIGTERM before it sends SIGKILL.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Everything the process wrote so far (stdout and stderr, interleaved by line).</summary>
    public string Output
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>The rest of the first output line that starts with <paramref name="prefix"/>.</summary>
    public Task<string> LineAsync(string prefix, TimeSpan timeout) =>
        MatchAsync(line => line.StartsWith(prefix, StringComparison.Ordinal) ? line[prefix.Length..].Trim() : null, timeout);

    /// <summary>The first output line that starts with <paramref name="prefix"/> and contains <paramref name="text"/>, whole.</summary>
    public Task<string> LineAsync(string prefix, string text, TimeSpan timeout) =>
        MatchAsync(line => line.StartsWith(prefix, StringComparison.Ordinal) && line.Contains(text, StringComparison.Ordinal) ? line.Trim() : null, timeout);

    private Task<string> MatchAsync(Func<string, string?> match, TimeSpan timeout)
    {
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_log)
        {
            foreach (var line in _log.ToString().Split('\n'))
            {
                if (match(line.TrimEnd('\r')) is { } rest)
                {
                    return Task.FromResult(rest);
                }
            }

            if (_process.HasExited)
            {
                return Task.FromException<string>(new InvalidOperationException($"the process exited ({_process.ExitCode}):\n{_log}"));
            }

            _awaited.Add((match, seen));
        }

        return seen.Task.WaitAsync(timeout);
    }

    /// <summary>User plus system CPU time the process has used so far (from /proc/PID/stat).</summary>
    public TimeSpan CpuTime()
    {
        var stat = File.ReadAllText($"/proc/{Pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / 100.0);
    }

    /// <summary>Resident set size in bytes (VmRSS from /proc/PID/status).</summary>
    public long ResidentBytes()
    {
        var line = File.ReadLines($"/proc/{Pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            using var timeout = new CancellationTokenSource(StopTimeout);
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                await Console.Error.WriteLineAsync($"  {_process.StartInfo.FileName} {string.Join(' ', _process.StartInfo.ArgumentList.Take(3))} (pid {_process.Id}) still ran {StopTimeout.TotalSeconds:0} s after SIGTERM: SIGKILL");
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
            foreach (var (match, seen) in _awaited)
            {
                if (match(line) is { } rest)
                {
                    seen.TrySetResult(rest);
                }
            }
        }
    }
}
