namespace FlowMesh.Tests.Support;

/// <summary>
/// A real <c>flowmesh node</c> process joined to a server. Start returns once the agent printed that it registered
/// (a barrier, not a sleep); lines it prints later can be awaited with <see cref="WaitForLineAsync"/>.
/// </summary>
internal sealed class AgentProcess : IAsyncDisposable
{
    private readonly CliChildProcess _process;
    private readonly List<string> _lines = [];
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Done)> _waiters = [];

    private AgentProcess(string server, string token, string name, string workDir, IEnumerable<string> extraArgs)
    {
        Name = name;
        _process = new CliChildProcess(
            new[] { "node", "--server", server, "--token", token, "--name", name, "--work-dir", workDir, "--slots", "4", "--cpus", "4", "--memory", "8Gi" }.Concat(extraArgs),
            null, OnLine, TimeSpan.FromSeconds(60));
    }

    public string Name { get; }

    public string Log
    {
        get
        {
            lock (_lines)
            {
                return string.Join('\n', _lines);
            }
        }
    }

    public static Task<AgentProcess> StartAsync(ServerProcess server, string name, string workDir, params string[] extraArgs) =>
        StartWithTokenAsync(server, server.AdminToken, name, workDir, extraArgs);

    public static async Task<AgentProcess> StartWithTokenAsync(ServerProcess server, string token, string name, string workDir, params string[] extraArgs)
    {
        return await StartAsync(server.BaseAddress.ToString(), token, name, workDir, extraArgs);
    }

    /// <summary>An agent joined to a replica set: <paramref name="servers"/> is URL,URL,…</summary>
    public static async Task<AgentProcess> StartAsync(string servers, string token, string name, string workDir, params string[] extraArgs)
    {
        var agent = new AgentProcess(servers, token, name, workDir, extraArgs);
        try
        {
            await agent.WaitForLineAsync(l => l.Contains($"registered as {name}", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
            return agent;
        }
        catch
        {
            await agent.DisposeAsync();
            throw;
        }
    }

    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var tcs = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lines)
        {
            if (_lines.FirstOrDefault(match) is { } seen)
            {
                return seen;
            }

            _waiters.Add((match, tcs));
        }

        try
        {
            return await tcs.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"agent {Name} did not print the expected line; its output:\n{Log}");
        }
    }

    /// <summary>kill -9: no drain, no goodbye; the server learns of it only when the lease runs out.</summary>
    public Task KillAsync() => _process.KillAsync();

    public Task<int> StopAsync() => _process.StopAsync();

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    private void OnLine(string line)
    {
        lock (_lines)
        {
            _lines.Add(line);
            foreach (var waiter in _waiters.Where(w => w.Match(line)).ToList())
            {
                _waiters.Remove(waiter);
                waiter.Done.TrySetResult(line);
            }
        }
    }
}
