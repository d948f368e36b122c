namespace FlowMesh.Engine.Store;

public enum StoreBackend
{
    /// <summary>One SQLite file in the data directory: the embedded default.</summary>
    Sqlite,

    /// <summary>A PostgreSQL database shared by every server replica: cluster mode.</summary>
    Postgres,
}
