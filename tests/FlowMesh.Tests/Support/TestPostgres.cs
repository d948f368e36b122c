using System.Diagnostics;
using Npgsql;

namespace FlowMesh.Tests.Support;

/// <summary>
/// The real PostgreSQL the tests use: FLOWMESH_TEST_PG names it (.ci/run starts one with .ci/pg-up.sh). Each test gets
/// a database of its own, so leader locks and notifications of one test never reach another. Under CI=true a missing
/// server is a failure; elsewhere the test returns early.
/// </summary>
internal static class TestPostgres
{
    public const string Variable = "FLOWMESH_TEST_PG";

    /// <summary>The test collection of everything on this server: one test crashes it, so none may run beside it.</summary>
    public const string Collection = "postgres";

    public static string? AdminConnectionString => Environment.GetEnvironmentVariable(Variable);

    public static bool Available(ITestOutputHelper? output = null)
    {
        if (!string.IsNullOrEmpty(AdminConnectionString))
        {
            return true;
        }

        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail($"no PostgreSQL: set {Variable} to a connection string of a role that may create databases (.ci/run starts one)");
        }

        output?.WriteLine($"no PostgreSQL ({Variable}): skipped");
        return false;
    }

    /// <summary>Creates an empty database and returns a connection string to it.</summary>
    public static async Task<string> CreateDatabaseAsync()
    {
        var name = "fm_" + Guid.NewGuid().ToString("N")[..12];
        await using (var admin = new NpgsqlConnection(AdminConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            await create.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>Stops the server at once (no checkpoint, connections cut), as a crash would.</summary>
    public static Task CrashAsync() => RunAsync(".ci/pg-crash.sh");

    /// <summary>Starts the server again on the same data; this process's pooled connections from before are dropped.</summary>
    public static async Task StartAsync()
    {
        await RunAsync(".ci/pg-up.sh");
        NpgsqlConnection.ClearAllPools();
    }

    private static async Task RunAsync(string script)
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "FlowMesh.Orleans.sln")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("repository root not found");
        }

        var start = new ProcessStartInfo("bash", [Path.Combine(root, script)]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{script} failed: {await output}{await error}");
    }
}
