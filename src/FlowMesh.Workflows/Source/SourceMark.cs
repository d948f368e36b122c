namespace FlowMesh.Workflows.Source;

/// <summary>A 1-based line and column in a workflow file.</summary>
public readonly record struct SourceMark(int Line, int Column)
{
    public static SourceMark None => default;

    public override string ToString() => Line == 0 ? "?" : $"{Line}:{Column}";
}
