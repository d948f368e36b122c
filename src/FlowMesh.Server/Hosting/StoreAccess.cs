using FlowMesh.Engine.Store;

namespace FlowMesh.Server.Hosting;

/// <summary>Hands each request a pooled store connection of its own; the engine's writer keeps its own.</summary>
internal sealed class StoreAccess(ServerOptions options)
{
    public FlowMeshStore Open() => FlowMeshStore.OpenReader(options.StoreLocation);
}
