using System.Globalization;
using FlowMesh.Runtime.Tests.Support;

namespace FlowMesh.Runtime.Tests.Runtime;

/// <summary><c>flowmesh cluster</c> given bad input: a clear one-line error and a non-zero exit, never a stack trace or a hang.</summary>
[Trait("Category", "Integration")]
public sealed class ClusterCliTests
{
    [Fact]
    public async Task Submit_StoreThatIsNotRedis_ExitsTwoNamingTheFlag()
    {
        var (code, lines) = await RunAsync("cluster", "submit", Sample(), "--store", "postgres://127.0.0.1:5432/x");

        Assert.Equal(2, code);
        Assert.Contains(lines, l => l.StartsWith("error: --store:", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("   at ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Submit_NoSiloOnTheGateway_ExitsOneWithoutAStackTrace()
    {
        var (code, lines) = await RunAsync("cluster", "submit", Sample(), "--connect-seconds", "3", "--gateway-port", Ports.FreeLoopback().ToString(CultureInfo.InvariantCulture));

        Assert.Equal(1, code);
        Assert.Contains(lines, l => l.Contains("no silo answered at 127.0.0.1:", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("error: ", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("   at ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Submit_InvalidWorkflow_ExitsTwoWithFileLineAndField()
    {
        var dir = Directory.CreateTempSubdirectory("flowmesh-cli-");
        try
        {
            var file = Path.Combine(dir.FullName, "bad.yaml");
            await File.WriteAllTextAsync(file, "apiVersion: flowmesh/v1\nkind: Workflow\nmetadata: {name: bad}\nspec:\n  stages:\n    - name: a\n      spec: {taskType: echo, data: {type: list, items: [x]}, bogus: 1}\n");

            var (code, lines) = await RunAsync("cluster", "submit", file, "--gateway-port", Ports.FreeLoopback().ToString(CultureInfo.InvariantCulture));

            Assert.Equal(2, code);
            Assert.Contains(lines, l => l.Contains("bad.yaml:7", StringComparison.Ordinal) && l.Contains("bogus", StringComparison.Ordinal));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static string Sample() => Path.Combine(WorkflowGrainTests.RepoRoot(), "samples", "hello-pipeline.yaml");

    private static async Task<(int Code, IReadOnlyCollection<string> Lines)> RunAsync(params string[] args)
    {
        await using var process = new FlowMeshProcess("cli", args);
        var code = await process.ExitCodeAsync(Timeouts.Scenario(60));
        return (code, process.Lines);
    }
}
