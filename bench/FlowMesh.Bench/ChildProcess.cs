using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace FlowMesh.Bench;

/// <summary>
/// A <c>dotnet flowmesh.dll …</c> process (server or node agent): output kept for error messages, a line can be awaited,
/// CPU time and resident memory read from /proc, SIGTERM to stop.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private static readonly string Cli = Path.Combine(AppContext.BaseDirectory, "flowmesh.dll");
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly List<(string Prefix, TaskCompletionSource<string> Seen)> _awaited = [];

    public ChildProcess(IEnumerable<string> args, IReadOnlyDictionary<string, string> env)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args.Prepend(Cli))
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

    /// <summary>The rest of the first output line that starts with <paramref name="prefix"/>.</summary>
    public Task<string> LineAsync(string prefix, TimeSpan timeout)
    {
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_log)
        {
            foreach (var line in _log.ToString().Split('\n'))
            {
                if (line.StartsWith(prefix, StringComparison.Ordinal))
                {
                    return Task.FromResult(line[prefix.Length..].Trim());
                }
            }

            _awaited.Add((prefix, seen));
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

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
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

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
            foreach (var (prefix, seen) in _awaited.Where(a => line.StartsWith(a.Prefix, StringComparison.Ordinal)))
            {
                seen.TrySetResult(line[prefix.Length..].Trim());
            }
        }
    }
}
