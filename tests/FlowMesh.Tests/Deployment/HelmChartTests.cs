using System.Text.RegularExpressions;

namespace FlowMesh.Tests.Deployment;

/// <summary>
/// The chart lints strictly, renders what the snapshots hold for the default values and for a GPU cluster's values,
/// and its schema turns bad values away naming the field. Snapshots are rewritten with FLOWMESH_UPDATE_SNAPSHOTS=1.
/// </summary>
[Trait("Category", "Unit")]
public sealed partial class HelmChartTests(ITestOutputHelper output)
{
    private static readonly string Snapshots = Path.Combine(Helm.RepositoryRoot, "tests", "FlowMesh.Tests", "Deployment", "Snapshots");
    private static readonly string GpuValues = Path.Combine("charts", "flowmesh", "ci", "gpu-cluster-values.yaml");

    [Fact]
    public async Task Lint_StrictWithDefaultAndGpuClusterValues_Passes()
    {
        if (!Helm.Available(output))
        {
            return;
        }

        foreach (var args in new[] { new[] { "lint", "--strict", Helm.Chart }, ["lint", "--strict", Helm.Chart, "-f", GpuValues] })
        {
            var (code, stdout, stderr) = await Helm.RunAsync(args);
            Assert.True(code == 0, stdout + stderr);
            Assert.Contains("0 chart(s) failed", stdout, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("default")]
    [InlineData("gpu-cluster")]
    public async Task Template_KnownValues_MatchesTheSnapshot(string name)
    {
        if (!Helm.Available(output))
        {
            return;
        }

        var rendered = await RenderAsync(name == "default" ? [] : ["-f", GpuValues]);
        var file = Path.Combine(Snapshots, $"{name}.yaml");
        if (Environment.GetEnvironmentVariable("FLOWMESH_UPDATE_SNAPSHOTS") == "1")
        {
            await File.WriteAllTextAsync(file, rendered);
        }

        Assert.True(File.Exists(file), $"no snapshot {file}: run the tests with FLOWMESH_UPDATE_SNAPSHOTS=1 once and review it");
        Assert.Equal(await File.ReadAllTextAsync(file), rendered);
    }

    [Fact]
    public async Task Template_GpuClusterValues_RequestGpusThroughTheDevicePluginOnGpuNodes()
    {
        if (!Helm.Available(output))
        {
            return;
        }

        var daemonSet = Document(await RenderAsync(["-f", GpuValues]), "DaemonSet");
        Assert.Contains("nvidia.com/gpu: 8", daemonSet, StringComparison.Ordinal);
        Assert.Contains("runtimeClassName: \"nvidia\"", daemonSet, StringComparison.Ordinal);
        Assert.Contains("nvidia.com/gpu.product: NVIDIA-H100-80GB-HBM3", daemonSet, StringComparison.Ordinal);
        Assert.Contains("key: nvidia.com/gpu", daemonSet, StringComparison.Ordinal);
        Assert.Contains("type: Socket", daemonSet, StringComparison.Ordinal);
        Assert.Contains("name: flowmesh-keys", daemonSet, StringComparison.Ordinal);
        Assert.DoesNotContain("kind: Secret", await RenderAsync(["-f", GpuValues]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Template_BundledPostgres_AddsTheDatabaseItsSecretAndItsPolicy()
    {
        if (!Helm.Available(output))
        {
            return;
        }

        var rendered = await RenderAsync(["--set", "postgresql.bundled.enabled=true"]);
        Assert.Contains("kind: StatefulSet", rendered, StringComparison.Ordinal);
        Assert.Contains("name: fm-flowmesh-postgresql", rendered, StringComparison.Ordinal);
        var deployment = Document(rendered, "Deployment");
        Assert.Contains("name: fm-flowmesh-store", deployment, StringComparison.Ordinal);
        Assert.Equal(3, Regex.Matches(rendered, "kind: NetworkPolicy").Count);
    }

    [Theory]
    [InlineData("server.replicas=0", "server.replicas: Must be greater than or equal to 1")]
    [InlineData("server.antiAffinity=sometimes", "server.antiAffinity: server.antiAffinity must be one of the following")]
    [InlineData("node.gpusPerNode=-1", "node.gpusPerNode: Must be greater than or equal to 0")]
    [InlineData("node.workDir=relative/path", "node.workDir: Does not match pattern")]
    [InlineData("auth.adminToken=not-a-key", "auth.adminToken: Does not match pattern")]
    [InlineData("service.port=70000", "service.port: Must be less than or equal to 65535")]
    [InlineData("server.storage.size=lots", "server.storage.size: Does not match pattern")]
    [InlineData("serverr.replicas=2", "Additional property serverr is not allowed")]
    [InlineData("postgresql.external.existingSecret=", "postgresql: set postgresql.external.existingSecret")]
    public async Task Template_BadValues_AreRejectedNamingTheField(string set, string expected)
    {
        if (!Helm.Available(output))
        {
            return;
        }

        var (code, _, stderr) = await Helm.RunAsync("template", "fm", Helm.Chart, "--set", set);
        Assert.NotEqual(0, code);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
    }

    private static async Task<string> RenderAsync(string[] extra)
    {
        var (code, stdout, stderr) = await Helm.RunAsync(["template", "fm", Helm.Chart, "--namespace", "flowmesh", .. extra]);
        Assert.True(code == 0, stderr);

        // Keys the chart generates are random on every render: the snapshot holds a marker in their place.
        return GeneratedSecret().Replace(stdout, m => $"{m.Groups["key"].Value}: \"<generated>\"");
    }

    private static string Document(string rendered, string kind) =>
        rendered.Split("\n---").Single(d => d.Contains($"\nkind: {kind}\n", StringComparison.Ordinal));

    [GeneratedRegex("(?<key>admin-token|node-token|signing-key|password|connection-string): \"[^\"]*\"")]
    private static partial Regex GeneratedSecret();
}
