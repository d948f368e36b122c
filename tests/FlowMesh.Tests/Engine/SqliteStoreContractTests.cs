using FlowMesh.Engine.Store;
using FlowMesh.Tests.Support;

namespace FlowMesh.Tests.Engine;

[Trait("Category", "Unit")]
public sealed class SqliteStoreContractTests : StoreContract, IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    protected override Task<StoreLocation?> CreateAsync() =>
        Task.FromResult<StoreLocation?>(StoreLocation.Sqlite(Path.Combine(_dir.Path, Guid.NewGuid().ToString("N"))));
}
