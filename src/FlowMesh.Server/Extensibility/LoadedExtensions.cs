namespace FlowMesh.Server.Extensibility;

/// <summary>What the extension loader registered, for the start-up log.</summary>
internal sealed record LoadedExtensions(IReadOnlyList<string> Types);
