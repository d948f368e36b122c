namespace FlowMesh.Tests.Support;

/// <summary>
/// The original FlowMesh templates live outside the repo (../shared/corpus or FLOWMESH_CORPUS). Under CI=true a
/// missing corpus is a failure; elsewhere tests that need it return early with a note.
/// </summary>
internal static class Corpus
{
    public static string RepoRoot { get; } = FindRoot();

    public static string? Directory { get; } = Find();

    public static string Templates => Path.Combine(Directory!, "templates");

    public static bool Available(ITestOutputHelper? output = null)
    {
        if (Directory is not null)
        {
            return true;
        }

        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail("the FlowMesh corpus is missing (set FLOWMESH_CORPUS or place it at ../shared/corpus)");
        }

        output?.WriteLine("corpus not found: skipped");
        return false;
    }

    public static IEnumerable<string> AllFiles() =>
        System.IO.Directory.EnumerateFiles(Templates, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".json", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

    private static string? Find()
    {
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable("FLOWMESH_CORPUS") is { Length: > 0 } env)
        {
            candidates.Add(env);
            candidates.Add(Path.Combine(env, "flowmesh"));
        }

        candidates.Add(Path.Combine(RepoRoot, "..", "shared", "corpus", "flowmesh"));
        return candidates.Select(Path.GetFullPath).FirstOrDefault(c => System.IO.Directory.Exists(Path.Combine(c, "templates")));
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "FlowMesh.Orleans.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("cannot find the repository root from " + AppContext.BaseDirectory);
    }
}
