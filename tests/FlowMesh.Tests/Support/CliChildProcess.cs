using System.Diagnostics;
using System.Globalization;

namespace FlowMesh.Tests.Support;

/// <summary>
/// A <c>dotnet flowmesh.dll …</c> child process shared by the server and node-agent test fixtures: it starts with
/// FLOWMESH_SERVER/FLOWMESH_TOKEN cleared, hands every output line to a callback, stops with SIGTERM (kill -9 when
/// asked), and is killed outright if it does not stop in time.
/// </summary>
internal sealed class CliChildProcess : IAsyncDisposable
{
    private static readonly string Cli = Path.Combine(AppContext.BaseDirectory, "flowmesh.dll");
    private readonly Process _process;
    private readonly TimeSpan _stopTimeout;

    public CliChildProcess(IEnumerable<string> args, IReadOnlyDictionary<string, string>? env, Action<string> onLine, TimeSpan stopTimeout, Action? onExit = null)
    {
        _stopTimeout = stopTimeout;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args.Prepend(Cli))
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("FLOWMESH_SERVER");
        start.Environment.Remove("FLOWMESH_TOKEN");
        foreach (var (key, value) in env ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        _process = new Process { StartInfo = start, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => Forward(e.Data, onLine);
        _process.ErrorDataReceived += (_, e) => Forward(e.Data, onLine);
        if (onExit is not null)
        {
            _process.Exited += (_, _) =>
            {
                // Exited can be raised before the last lines were handed over: wait for both streams to end first, so
                // whoever reads the output on exit sees all of it (the error a process dies with is its last line).
                _process.WaitForExit();
                onExit();
            };
        }

        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Pid => _process.Id;

    /// <summary>SIGTERM, then the exit code of a graceful shutdown.</summary>
    public async Task<int> StopAsync()
    {
        if (!_process.HasExited)
        {
            await SignalAsync("-TERM");
            using var timeout = new CancellationTokenSource(_stopTimeout);
            await _process.WaitForExitAsync(timeout.Token);
        }

        return _process.ExitCode;
    }

    /// <summary>kill -9: no drain, no goodbye.</summary>
    public async Task KillAsync()
    {
        await SignalAsync("-KILL");
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    private static void Forward(string? line, Action<string> onLine)
    {
        if (line is not null)
        {
            onLine(line);
        }
    }

    private async Task SignalAsync(string signal)
    {
        using var kill = Process.Start("kill", [signal, _process.Id.ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
    }
}
