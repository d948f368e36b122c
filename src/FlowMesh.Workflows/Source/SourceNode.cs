namespace FlowMesh.Workflows.Source;

/// <summary>
/// A node of a parsed workflow document that remembers where it came from, so every error can name its line.
/// YAML and JSON both parse into this one tree.
/// </summary>
public abstract class SourceNode(SourceMark mark)
{
    public SourceMark Mark { get; } = mark;

    public abstract string KindName { get; }
}
