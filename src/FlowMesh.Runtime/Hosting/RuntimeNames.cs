namespace FlowMesh.Runtime.Hosting;

/// <summary>Names the grains and the hosting agree on.</summary>
internal static class RuntimeNames
{
    /// <summary>The grain storage provider every FlowMesh grain persists to.</summary>
    public const string Storage = "flowmesh";
}
