using FlowMesh.Engine.Store;
using FlowMesh.Tests.Support;

namespace FlowMesh.Tests.Engine;

[Trait("Category", "Integration")]
[Collection(TestPostgres.Collection)]
public sealed class PostgresStoreContractTests(ITestOutputHelper output) : StoreContract
{
    protected override async Task<StoreLocation?> CreateAsync() =>
        TestPostgres.Available(output) ? StoreLocation.Postgres(await TestPostgres.CreateDatabaseAsync()) : null;
}
