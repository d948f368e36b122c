using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace FlowMesh.Runtime.Tests.Support;

/// <summary>
/// A redis-server process of the test's own, on a free 127.0.0.1 port with its data in a temporary directory. AOF is on
/// with <c>appendfsync always</c> unless told otherwise, so whatever was acknowledged survives <see cref="KillAsync"/>
/// (SIGKILL) and is there again after <see cref="StartAsync"/>, which reuses the port and the directory.
/// </summary>
internal sealed class RedisServer : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan PingInterval = TimeSpan.FromMilliseconds(50);

    private readonly bool _appendOnly;
    private readonly string _appendFsync;
    private readonly StringBuilder _output = new();
    private Process? _process;

    private RedisServer(string directory, bool appendOnly, string appendFsync)
    {
        Directory = directory;
        _appendOnly = appendOnly;
        _appendFsync = appendFsync;
    }

    /// <summary>The redis-server on PATH, or null.</summary>
    public static string? Executable { get; } = FindOnPath("redis-server");

    /// <summary>Under CI=true a missing redis-server fails the tests rather than skipping them.</summary>
    public static bool Required =>
        string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public int Port { get; private set; }

    public string Directory { get; }

    /// <summary>The StackExchange.Redis configuration string of the server.</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    /// <summary>The server as a redis:// URL.</summary>
    public string Url => $"redis://127.0.0.1:{Port}";

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Starts a new server and waits until it answers PING.</summary>
    /// <param name="appendOnly">AOF persistence (<c>--appendonly</c>).</param>
    /// <param name="appendFsync"><c>--appendfsync</c>: always, everysec or no.</param>
    /// <param name="cancellationToken">Stops the wait.</param>
    public static async Task<RedisServer> StartNewAsync(bool appendOnly = true, string appendFsync = "always", CancellationToken cancellationToken = default)
    {
        if (Executable is null)
        {
            throw new InvalidOperationException(
                "redis-server is not on PATH: install Debian's redis-server package (.ci/redis-up.sh does) to run the Redis tests");
        }

        var directory = Path.Combine(Path.GetTempPath(), "flowmesh-redis-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(directory);
        var server = new RedisServer(directory, appendOnly, appendFsync);
        try
        {
            // The free port is only free until someone else takes it; a server that cannot bind exits, and then
            // another port is tried.
            for (var attempt = 1; ; attempt++)
            {
                server.Port = Ports.FreeLoopback();
                try
                {
                    await server.StartAsync(cancellationToken);
                    return server;
                }
                catch (RedisServerExitedException) when (attempt < 3)
                {
                }
            }
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the server (again) on the same port and directory and waits until it answers PING.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (IsRunning)
        {
            throw new InvalidOperationException($"redis-server on port {Port} is already running");
        }

        _process?.Dispose();
        var start = new ProcessStartInfo(Executable!)
        {
            WorkingDirectory = Directory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[]
                 {
                     "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
                     "--dir", Directory, "--daemonize", "no", "--save", string.Empty,
                     "--appendonly", _appendOnly ? "yes" : "no", "--appendfsync", _appendFsync,
                     "--logfile", Path.Combine(Directory, "redis.log"),
                 })
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Collect(e.Data);
        process.ErrorDataReceived += (_, e) => Collect(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        await WaitUntilReadyAsync(process, cancellationToken);
    }

    /// <summary>Kills the server with SIGKILL, as a crash or an OOM kill would, and waits until it is gone.</summary>
    public async Task KillAsync()
    {
        if (_process is null || _process.HasExited)
        {
            return;
        }

        _process.Kill(entireProcessTree: false);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
        _process = null;
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private async Task WaitUntilReadyAsync(Process process, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                throw new RedisServerExitedException(
                    $"redis-server on port {Port} exited with {process.ExitCode} before answering PING:\n{Diagnostics()}");
            }

            if (await PingAsync(cancellationToken))
            {
                return;
            }

            if (deadline.Elapsed > ReadyTimeout)
            {
                throw new TimeoutException($"redis-server on port {Port} did not answer PING within {ReadyTimeout}:\n{Diagnostics()}");
            }

            await Task.Delay(PingInterval, cancellationToken);
        }
    }

    /// <summary>PING over a raw socket: true once the server answers +PONG (not while it still loads its AOF).</summary>
    private async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var client = new TcpClient();
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attempt.CancelAfter(TimeSpan.FromSeconds(2));
            await client.ConnectAsync(IPAddress.Loopback, Port, attempt.Token);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), attempt.Token);
            var buffer = new byte[64];
            var read = await stream.ReadAsync(buffer, attempt.Token);
            return read >= 5 && Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is SocketException or IOException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return false;
        }
    }

    private void Collect(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            if (_output.Length < 16_384)
            {
                _output.AppendLine(line);
            }
        }
    }

    private string Diagnostics()
    {
        string output;
        lock (_output)
        {
            output = _output.ToString();
        }

        var log = Path.Combine(Directory, "redis.log");
        var tail = File.Exists(log) ? string.Join('\n', File.ReadLines(log).TakeLast(30)) : "(no redis.log)";
        return $"{output}{tail}";
    }

    private static string? FindOnPath(string name)
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
