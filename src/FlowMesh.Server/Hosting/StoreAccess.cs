using FlowMesh.Engine.Store;

namespace FlowMesh.Server.Hosting;

/// <summary>Hands each request a pooled store connection of its own; the engine's writer keeps its own.</summary>
internal sealed class StoreAccess(ServerOptions options)
{
    public SqliteStore Open() => SqliteStore.OpenReader(options.DataDirectory);
}
