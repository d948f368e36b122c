namespace FlowMesh.Client.Models;

/// <summary>What the server runs.</summary>
/// <param name="Version">FlowMesh version.</param>
/// <param name="Api">API version (v1).</param>
/// <param name="Store">Store kind (sqlite or postgres).</param>
public sealed record VersionInfo(string Version, string Api, string Store);
