using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using FlowMesh.Engine.Executors;

namespace FlowMesh.Engine.Containers;

/// <summary>
/// The node's warm model servers. A task takes an idle server with the same key (engine, model, engine arguments,
/// GPUs) or starts one; when it ends the server stays warm and is stopped after <see cref="ModelServerOptions.IdleTimeout"/>.
/// A server that holds GPUs a new task was given is stopped first, so two servers never share a GPU.
/// </summary>
internal sealed class ModelServerPool(DockerClient docker, ContainerOptions containers, ModelServerOptions options, TimeProvider time) : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly List<ModelServer> _servers = [];
    private readonly HttpClient _health = new() { Timeout = TimeSpan.FromSeconds(5) };
    private ITimer? _reaper;
    private int _disposed;

    /// <summary>Raised with the container id after an idle server was stopped.</summary>
    public event Action<string>? Stopped;

    public IReadOnlyList<ModelServer> Servers
    {
        get
        {
            lock (_gate)
            {
                return [.. _servers];
            }
        }
    }

    public async Task<(ModelServer Server, bool Reused)> AcquireAsync(string engine, string model, JsonObject engineArgs, ExecutionRequest request, ITaskLog log,
        CancellationToken cancellationToken)
    {
        var key = $"{engine}|{model}|{engineArgs.ToJsonString()}|{string.Join(',', request.GpuIndices)}";
        List<ModelServer> evict;
        lock (_gate)
        {
            if (_servers.FirstOrDefault(s => s.Key == key && !s.Busy) is { } warm)
            {
                warm.Busy = true;
                return (warm, true);
            }

            evict = [.. _servers.Where(s => !s.Busy && s.Gpus.Intersect(request.GpuIndices).Any())];
            _servers.RemoveAll(evict.Contains);
        }

        foreach (var server in evict)
        {
            log.Write("stdout", $"model server: stopping idle {server.Model} to free GPUs {string.Join(',', server.Gpus)}");
            await StopAsync(server).ConfigureAwait(false);
        }

        var started = await StartAsync(key, engine, model, engineArgs, request, log, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            _servers.Add(started);
        }

        return (started, false);
    }

    public void Release(ModelServer server)
    {
        lock (_gate)
        {
            server.Busy = false;
            server.TasksServed++;
            server.IdleSince = time.GetUtcNow();
            _reaper ??= time.CreateTimer(_ => _ = ReapAsync(), null, Tick, Tick);
        }
    }

    /// <summary>Stops a server that failed mid-task, so the next task starts a fresh one.</summary>
    public async Task DiscardAsync(ModelServer server)
    {
        lock (_gate)
        {
            _servers.Remove(server);
        }

        await StopAsync(server).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        if (_reaper is not null)
        {
            await _reaper.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var server in Servers)
        {
            await StopAsync(server).ConfigureAwait(false);
        }

        _health.Dispose();
    }

    private TimeSpan Tick => TimeSpan.FromMilliseconds(Math.Clamp(options.IdleTimeout.TotalMilliseconds / 4, 100, 10_000));

    private async Task ReapAsync()
    {
        List<ModelServer> idle;
        var now = time.GetUtcNow();
        lock (_gate)
        {
            idle = [.. _servers.Where(s => !s.Busy && now - s.IdleSince >= options.IdleTimeout)];
            _servers.RemoveAll(idle.Contains);
        }

        foreach (var server in idle)
        {
            await StopAsync(server).ConfigureAwait(false);
            Stopped?.Invoke(server.ContainerId);
        }
    }

    private async Task<ModelServer> StartAsync(string key, string engine, string model, JsonObject engineArgs, ExecutionRequest request, ITaskLog log, CancellationToken cancellationToken)
    {
        if (!options.Images.TryGetValue(engine, out var image))
        {
            throw new ExecutionException($"no model-server image is configured for engine '{engine}' on this node (flowmesh node --model-image {engine}=IMAGE)");
        }

        if (!await docker.ImageExistsAsync(image, cancellationToken).ConfigureAwait(false))
        {
            throw new ExecutionException($"model-server image {image} is not present on node {containers.NodeLabel}; images are never pulled, load it first");
        }

        var port = FreePort();
        var args = new List<string> { "--model", model, "--served-model-name", model, "--host", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture) };
        foreach (var (name, value) in engineArgs)
        {
            var flag = "--" + name.Replace('_', '-');
            switch (value)
            {
                case JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.True:
                    args.Add(flag);
                    break;
                case JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.False:
                    break;
                case JsonValue v:
                    args.Add(flag);
                    args.Add(v.TryGetValue<string>(out var s) ? s : v.ToJsonString());
                    break;
                case not null:
                    args.Add(flag);
                    args.Add(value.ToJsonString());
                    break;
            }
        }

        var body = new JsonObject
        {
            ["Image"] = image,
            ["Cmd"] = new JsonArray([.. args.Select(a => (JsonNode)a)]),
            ["Labels"] = new JsonObject { ["flowmesh.node"] = containers.NodeLabel, ["flowmesh.model-server"] = model },
            ["HostConfig"] = new JsonObject
            {
                ["NetworkMode"] = "host",
                ["Init"] = true,
                ["Binds"] = new JsonArray([.. options.Binds.Concat(containers.ExtraBinds).Select(b => (JsonNode)b)]),
            },
        };
        if (options.Entrypoints.TryGetValue(engine, out var entrypoint))
        {
            body["Entrypoint"] = new JsonArray([.. entrypoint.Select(e => (JsonNode)e)]);
        }

        if (request.GpuIndices.Count > 0)
        {
            body["HostConfig"]!["DeviceRequests"] = ContainerSpec.GpuDeviceRequests(request.GpuIndices);
        }

        var id = await docker.CreateAsync($"flowmesh-model-{DataName(model)}-{Guid.NewGuid().ToString("N")[..6]}", body, cancellationToken).ConfigureAwait(false);
        var server = new ModelServer(key, model, id, new Uri($"http://127.0.0.1:{port}/"), [.. request.GpuIndices]) { Busy = true };
        try
        {
            await docker.StartAsync(id, cancellationToken).ConfigureAwait(false);
            log.Write("stdout", $"model server: starting {engine} for {model} ({image}) on port {port}");
            await WaitReadyAsync(server, cancellationToken).ConfigureAwait(false);
            log.Write("stdout", $"model server: {model} is ready");
            return server;
        }
        catch
        {
            await StopAsync(server).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Asks /health until it answers; a container that exits while loading fails the task at once.</summary>
    private async Task WaitReadyAsync(ModelServer server, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + options.StartupTimeout;
        var wait = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try
            {
                using var response = await _health.GetAsync(new Uri(server.BaseAddress, "health"), cancellationToken).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
            }

            var state = await docker.InspectAsync(server.ContainerId, cancellationToken).ConfigureAwait(false);
            if (state?["State"]?["Running"]?.GetValue<bool>() != true)
            {
                throw new ExecutionException($"model server exited while loading (exit code {state?["State"]?["ExitCode"]})");
            }

            if (time.GetUtcNow() > deadline)
            {
                throw new ExecutionException($"model server did not become ready within {options.StartupTimeout.TotalSeconds:0}s");
            }

            // The server gives no signal when it is ready but answering its health check, so this waits and asks again.
            await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
            wait = TimeSpan.FromMilliseconds(Math.Min(wait.TotalMilliseconds * 2, 2000));
        }
    }

    private async Task StopAsync(ModelServer server)
    {
        try
        {
            await docker.KillAsync(server.ContainerId, CancellationToken.None).ConfigureAwait(false);
            await docker.RemoveAsync(server.ContainerId, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DockerException or HttpRequestException)
        {
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string DataName(string model) => new([.. model.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-')]);
}
