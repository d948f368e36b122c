namespace FlowMesh.Engine.Store;

/// <summary>A version-checked write found the row changed (or gone) since it was read.</summary>
public sealed class StaleVersionException(string entity, string id, long expected)
    : InvalidOperationException($"{entity} {id} is no longer at version {expected}")
{
    public string Entity { get; } = entity;
}
