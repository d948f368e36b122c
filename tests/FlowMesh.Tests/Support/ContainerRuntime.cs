using FlowMesh.Engine.Containers;

namespace FlowMesh.Tests.Support;

/// <summary>
/// The real container engine the tests use: podman's Docker-compatible API (DOCKER_HOST, started by .ci/run) with the
/// locally built image <see cref="Image"/>. Under CI=true a missing engine is a failure; elsewhere the test returns early.
/// </summary>
internal static class ContainerRuntime
{
    /// <summary>A busybox image built by .ci/podman-up.sh with `podman import` (nothing is pulled).</summary>
    public const string Image = "localhost/ci-busybox:latest";

    public static string? Socket { get; } = DockerClient.FindSocket() is { } s && File.Exists(s) ? s : null;

    /// <summary>
    /// Binds that let the busybox image run the test model server: the host's .NET, its libraries, and the test output
    /// directory (which holds FlowMesh.TestModelServer.dll) at /app.
    /// </summary>
    public static IReadOnlyList<string> TestModelServerBinds()
    {
        var dotnetRoot = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "..", "..", ".."));
        return [$"{dotnetRoot}:/usr/share/dotnet:ro", "/usr/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu:ro", "/usr/lib64:/usr/lib64:ro", $"{AppContext.BaseDirectory.TrimEnd('/')}:/app:ro"];
    }

    /// <summary>How the test model server starts inside that image.</summary>
    public static IReadOnlyList<string> TestModelServerEntrypoint { get; } = ["/usr/share/dotnet/dotnet", "/app/FlowMesh.TestModelServer.dll"];

    /// <summary>Container settings under which the model-server executor runs our test server as "vllm" on the busybox image.</summary>
    public static ContainerOptions WithTestModelServer(string nodeLabel)
    {
        var containers = new ContainerOptions { NodeLabel = nodeLabel, DefaultNetwork = "none" };
        containers.ModelServers.Images["vllm"] = Image;
        containers.ModelServers.Entrypoints["vllm"] = TestModelServerEntrypoint;
        foreach (var bind in TestModelServerBinds())
        {
            containers.ModelServers.Binds.Add(bind);
        }

        return containers;
    }

    public static bool Available(ITestOutputHelper? output = null)
    {
        if (Socket is not null)
        {
            return true;
        }

        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail("no container engine: set DOCKER_HOST=unix:///path/to/podman.sock (.ci/run starts one)");
        }

        output?.WriteLine("no container engine (DOCKER_HOST): skipped");
        return false;
    }
}
