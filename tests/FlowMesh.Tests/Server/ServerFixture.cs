using FlowMesh.Client;
using FlowMesh.Tests.Support;

namespace FlowMesh.Tests.Server;

/// <summary>One real server for the API tests: short keep-alives, a 64 KiB body limit, and the test extensions loaded.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    private readonly TempDir _dir = new();

    internal ServerProcess Server { get; private set; } = null!;

    internal FlowMeshClient Admin { get; private set; } = null!;

    internal string UsageFile => Path.Combine(_dir.Path, "usage.jsonl");

    internal string Barriers => Path.Combine(_dir.Path, "barriers");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Barriers);
        var extension = Path.Combine(AppContext.BaseDirectory, "FlowMesh.TestExtensions.dll");
        Server = await ServerProcess.StartAsync(Path.Combine(_dir.Path, "data"), new Dictionary<string, string> { ["FLOWMESH_TEST_USAGE_FILE"] = UsageFile },
            "--keepalive", "0.2", "--max-body", "65536", "--rate-limit", "1000", "--unplaceable-timeout", "0", "--extension", extension);
        Admin = Server.Client(Server.AdminToken);
    }

    public async Task DisposeAsync()
    {
        Admin.Dispose();
        await Server.DisposeAsync();
        _dir.Dispose();
    }
}
