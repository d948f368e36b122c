namespace FlowMesh.Tests.Support;

/// <summary>
/// Everything on the test PostgreSQL runs in this collection, alone: one test crashes the server, and the cluster tests
/// keep both cores busy with real processes, which would starve the timing of tests running beside them.
/// </summary>
[CollectionDefinition(TestPostgres.Collection, DisableParallelization = true)]
public sealed class PostgresCollection;
