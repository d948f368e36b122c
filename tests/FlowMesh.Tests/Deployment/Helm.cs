using System.Diagnostics;

namespace FlowMesh.Tests.Deployment;

/// <summary>
/// The helm binary (FLOWMESH_TEST_HELM, else helm on PATH, else .ci/helm-install.sh's /tmp/ci-tools/helm) run on the
/// repository's chart. Without one the chart tests return early; under CI=true they fail.
/// </summary>
internal static class Helm
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string Chart => Path.Combine(RepositoryRoot, "charts", "flowmesh");

    public static string? Binary { get; } = Find();

    public static bool Available(ITestOutputHelper output)
    {
        if (Binary is not null)
        {
            return true;
        }

        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail("no helm: set FLOWMESH_TEST_HELM or put helm on PATH (.ci/helm-install.sh)");
        }

        output.WriteLine("no helm: skipped");
        return false;
    }

    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo(Binary!) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepositoryRoot };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // Helm keeps caches and config under HOME; a temp home keeps the runs apart from the user's.
        var home = Path.Combine(Path.GetTempPath(), "flowmesh-helm-home");
        start.Environment["HELM_CACHE_HOME"] = Path.Combine(home, "cache");
        start.Environment["HELM_CONFIG_HOME"] = Path.Combine(home, "config");
        start.Environment["HELM_DATA_HOME"] = Path.Combine(home, "data");
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }

    private static string? Find()
    {
        var candidates = new[] { Environment.GetEnvironmentVariable("FLOWMESH_TEST_HELM") }
            .Concat((Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator).Select(d => Path.Combine(d, "helm")))
            .Append("/tmp/ci-tools/helm");
        return candidates.FirstOrDefault(c => !string.IsNullOrEmpty(c) && File.Exists(c));
    }

    private static string FindRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "FlowMesh.Orleans.sln")))
        {
            dir = Path.GetDirectoryName(dir) ?? throw new InvalidOperationException("repository root not found");
        }

        return dir;
    }
}
