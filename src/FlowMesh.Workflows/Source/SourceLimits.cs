namespace FlowMesh.Workflows.Source;

/// <summary>
/// Bounds on what a workflow file may be, so a hostile or broken file costs bounded time and memory.
/// </summary>
public static class SourceLimits
{
    /// <summary>Largest workflow file accepted: 4 MiB.</summary>
    public const int MaxBytes = 4 * 1024 * 1024;

    /// <summary>Deepest nesting of mappings and lists.</summary>
    public const int MaxDepth = 64;

    /// <summary>Most nodes a document may expand to, aliases included (stops "billion laughs").</summary>
    public const int MaxNodes = 1_000_000;
}
