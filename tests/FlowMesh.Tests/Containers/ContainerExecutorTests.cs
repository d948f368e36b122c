using System.Text.Json.Nodes;
using FlowMesh.Engine.Containers;
using FlowMesh.Engine.Executors;
using FlowMesh.Tests.Support;
using FlowMesh.Workflows;

namespace FlowMesh.Tests.Containers;

/// <summary>The container executor against a real container engine (podman's Docker API), with a locally built image.</summary>
[Trait("Category", "Integration")]
public sealed class ContainerExecutorTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly ContainerOptions _options = new() { DefaultNetwork = "none", NodeLabel = "test-node" };

    [Fact]
    public async Task Execute_LimitsAndOutput_StreamsLogsEnforcesLimitsAndCollectsResult()
    {
        if (!ContainerRuntime.Available(output))
        {
            return;
        }

        using var docker = new DockerClient(ContainerRuntime.Socket!);
        var script = """
            echo "cpu quota $(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us 2>/dev/null || cat /sys/fs/cgroup/cpu.max)"
            echo "mem limit $(cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max)"
            echo "to stderr" >&2
            echo "greeting=$GREETING"
            printf '{"answer": 42}' > "$FLOWMESH_OUTPUT/result.json"
            echo artifact > "$FLOWMESH_OUTPUT/extra.txt"
            """;
        var request = Request("limits", new JsonObject
        {
            ["image"] = ContainerRuntime.Image,
            ["command"] = new JsonArray("sh", "-c", script),
            ["env"] = new JsonObject { ["GREETING"] = "hello" },
        }, new ResourceRequest(500, 64L << 20, null));
        var log = new ListLog();

        var outcome = await new ContainerExecutor("container", docker, _options).ExecuteAsync(request, log, CancellationToken.None);

        Assert.True(outcome.Succeeded, outcome.Error);
        Assert.Equal(42, outcome.Result!["value"]!["answer"]!.GetValue<int>());
        Assert.Contains(log.Lines, l => l is ("stdout", "greeting=hello"));
        Assert.Contains(log.Lines, l => l is ("stderr", "to stderr"));
        Assert.Contains(log.Lines, l => l.Text.StartsWith("cpu quota 50000", StringComparison.Ordinal));
        Assert.Contains(log.Lines, l => l.Text == $"mem limit {64L << 20}");
        Assert.Equal("artifact\n", await File.ReadAllTextAsync(Path.Combine(request.OutputDirectory, "artifacts", "extra.txt")));
        Assert.Empty(await docker.ListAsync($"flowmesh.workflow={request.WorkflowId}", CancellationToken.None));
    }

    [Fact]
    public async Task Execute_NonZeroExit_FailsWithTheExitCodeAndLastErrorLine()
    {
        if (!ContainerRuntime.Available(output))
        {
            return;
        }

        using var docker = new DockerClient(ContainerRuntime.Socket!);
        var request = Request("exit", new JsonObject { ["image"] = ContainerRuntime.Image, ["command"] = new JsonArray("sh", "-c", "echo boom >&2; exit 3") });

        var outcome = await new ContainerExecutor("container", docker, _options).ExecuteAsync(request, new ListLog(), CancellationToken.None);

        Assert.False(outcome.Succeeded);
        Assert.Equal("container exited with code 3: boom", outcome.Error);
    }

    [Fact]
    public async Task Execute_MissingImage_FailsClearlyWithoutPulling()
    {
        if (!ContainerRuntime.Available(output))
        {
            return;
        }

        using var docker = new DockerClient(ContainerRuntime.Socket!);
        var request = Request("missing", new JsonObject { ["image"] = "localhost/flowmesh-no-such-image:1", ["command"] = new JsonArray("true") });

        var outcome = await new ContainerExecutor("container", docker, _options).ExecuteAsync(request, new ListLog(), CancellationToken.None);

        Assert.False(outcome.Succeeded);
        Assert.StartsWith("image localhost/flowmesh-no-such-image:1 is not present on node test-node; images are never pulled", outcome.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Execute_Timeout_KillsAndRemovesTheContainer()
    {
        if (!ContainerRuntime.Available(output))
        {
            return;
        }

        using var docker = new DockerClient(ContainerRuntime.Socket!);
        var request = Request("timeout", new JsonObject
        {
            ["image"] = ContainerRuntime.Image,
            ["command"] = new JsonArray("sh", "-c", "echo started; sleep 300"),
            ["timeoutSeconds"] = 1,
        });
        var log = new ListLog();

        var outcome = await new ContainerExecutor("container", docker, _options).ExecuteAsync(request, log, CancellationToken.None);

        Assert.False(outcome.Succeeded);
        Assert.Equal("container timed out after 1s and was killed", outcome.Error);
        Assert.Contains(log.Lines, l => l.Text == "started");
        Assert.Empty(await docker.ListAsync($"flowmesh.workflow={request.WorkflowId}", CancellationToken.None));
    }

    [Fact]
    public async Task Execute_Cancelled_KillsTheRunningContainer()
    {
        if (!ContainerRuntime.Available(output))
        {
            return;
        }

        using var docker = new DockerClient(ContainerRuntime.Socket!);
        var request = Request("cancel", new JsonObject { ["image"] = ContainerRuntime.Image, ["command"] = new JsonArray("sh", "-c", "echo started; sleep 300") });
        var log = new ListLog();
        using var cts = new CancellationTokenSource();
        log.OnLine = line =>
        {
            if (line == "started")
            {
                cts.Cancel();
            }
        };

        var run = new ContainerExecutor("container", docker, _options).ExecuteAsync(request, log, cts.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Empty(await docker.ListAsync($"flowmesh.workflow={request.WorkflowId}", CancellationToken.None));
    }

    [Fact]
    public void Build_GpusGiven_FormsNvidiaDeviceRequestWithThoseIds()
    {
        var request = Request("gpu", new JsonObject { ["image"] = "vllm/vllm-openai:latest", ["command"] = new JsonArray("nvidia-smi") },
            new ResourceRequest(2000, 8L << 30, new GpuRequest("nvidia-a100", 2, 0))) with { GpuIndices = [1, 3] };

        var body = ContainerSpec.Build(request, request.Resources, "/tmp/out", _options);

        var host = body["HostConfig"]!.AsObject();
        var device = Assert.Single(host["DeviceRequests"]!.AsArray())!.AsObject();
        Assert.Equal("nvidia", device["Driver"]!.GetValue<string>());
        Assert.Equal(["1", "3"], device["DeviceIDs"]!.AsArray().Select(d => d!.GetValue<string>()));
        Assert.Equal("gpu", device["Capabilities"]![0]![0]!.GetValue<string>());
        Assert.False(device.ContainsKey("Count"));
        Assert.Equal(2_000_000_000L, host["NanoCpus"]!.GetValue<long>());
        Assert.Equal(8L << 30, host["Memory"]!.GetValue<long>());
        Assert.Equal("none", host["NetworkMode"]!.GetValue<string>());
    }

    [Fact]
    public void Build_HostMountOutsideAllowedRoots_IsRefused()
    {
        var request = Request("mount", new JsonObject
        {
            ["image"] = ContainerRuntime.Image,
            ["mounts"] = new JsonArray(new JsonObject { ["source"] = "/etc", ["target"] = "/host-etc" }),
        });

        var ex = Assert.Throws<ExecutionException>(() => ContainerSpec.Build(request, request.Resources, "/tmp/out", _options));

        Assert.Equal("mounts[]: host mounts are disabled on this node (asked for /etc)", ex.Message);
    }

    public void Dispose() => _dir.Dispose();

    private ExecutionRequest Request(string name, JsonObject spec, ResourceRequest? resources = null)
    {
        var wf = $"wf-test-{name}-{Guid.NewGuid().ToString("N")[..6]}";
        return new ExecutionRequest(wf, name, "container", 1, spec, new Dictionary<string, JsonNode?>(), new Dictionary<string, string>(),
            Path.Combine(_dir.Path, wf, "results"), Path.Combine(_dir.Path, wf, "work"), []) { Resources = resources ?? ResourceRequest.None };
    }

    private sealed class ListLog : ITaskLog
    {
        private readonly List<(string Stream, string Text)> _lines = [];

        public Action<string>? OnLine { get; set; }

        public IReadOnlyList<(string Stream, string Text)> Lines
        {
            get
            {
                lock (_lines)
                {
                    return [.. _lines];
                }
            }
        }

        public void Write(string stream, string line)
        {
            lock (_lines)
            {
                _lines.Add((stream, line));
            }

            OnLine?.Invoke(line);
        }
    }
}
