using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using FlowMesh.Client;

namespace FlowMesh.Tests.Support;

/// <summary>
/// A real <c>flowmesh up</c> process on a loopback port picked by the kernel. The port is read from the line the server
/// prints once it listens (a barrier, not a sleep). Disposing sends SIGTERM and waits for a clean exit.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly CliChildProcess _process;
    private readonly StringBuilder _log = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServerProcess(string verb, string dataDir, IReadOnlyDictionary<string, string>? env, IEnumerable<string> extraArgs)
    {
        DataDir = dataDir;
        var urls = extraArgs.Contains("--urls") ? [] : new[] { "--urls", "http://127.0.0.1:0" };
        _process = new CliChildProcess(new[] { verb, "--data-dir", dataDir }.Concat(urls).Concat(extraArgs), env, OnLine, TimeSpan.FromSeconds(30),
            () => _listening.TrySetException(new InvalidOperationException("the server exited before listening:\n" + Log)));
    }

    public string DataDir { get; }

    public Uri BaseAddress { get; private set; } = null!;

    public string AdminToken { get; private set; } = string.Empty;

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public string Pid() => _process.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static Task<ServerProcess> StartAsync(string dataDir, params string[] extraArgs) => StartAsync(dataDir, null, extraArgs);

    public static Task<ServerProcess> StartAsync(string dataDir, IReadOnlyDictionary<string, string>? env, params string[] extraArgs) =>
        StartAsync("up", dataDir, env, extraArgs);

    /// <summary><c>flowmesh server</c>: the API with its own node cordoned, so only node agents run tasks.</summary>
    public static Task<ServerProcess> StartServerAsync(string dataDir, params string[] extraArgs) => StartAsync("server", dataDir, null, extraArgs);

    private static async Task<ServerProcess> StartAsync(string verb, string dataDir, IReadOnlyDictionary<string, string>? env, string[] extraArgs)
    {
        var server = new ServerProcess(verb, dataDir, env, extraArgs);
        try
        {
            server.BaseAddress = await server._listening.Task.WaitAsync(TimeSpan.FromSeconds(60));
            server.AdminToken = (await File.ReadAllTextAsync(Path.Combine(dataDir, "admin.token"))).Trim();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public FlowMeshClient Client(string? token) => new(new FlowMeshClientOptions { BaseAddress = BaseAddress, Token = token, ReconnectDelay = TimeSpan.FromMilliseconds(50) });

    public HttpClient Http(string? token = null)
    {
        var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (token is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return http;
    }

    /// <summary>Runs the CLI against this server (FLOWMESH_SERVER and its data directory set, no token) and returns what it said.</summary>
    public async Task<(int Code, string Stdout, string Stderr)> CliAsync(string cwd, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = cwd };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "flowmesh.dll"));
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["FLOWMESH_SERVER"] = BaseAddress.ToString();
        start.Environment["FLOWMESH_DATA_DIR"] = DataDir;
        start.Environment.Remove("FLOWMESH_TOKEN");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>SIGTERM, then the exit code of a graceful shutdown.</summary>
    public Task<int> StopAsync() => _process.StopAsync();

    /// <summary>kill -9: no shutdown, no goodbye.</summary>
    public Task KillAsync() => _process.KillAsync();

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    private void OnLine(string line)
    {
        lock (_log)
        {
            _log.AppendLine(line);
        }

        const string marker = "flowmesh: listening on ";
        if (line.StartsWith(marker, StringComparison.Ordinal))
        {
            _listening.TrySetResult(new Uri(line[marker.Length..].Trim()));
        }
    }
}
