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
