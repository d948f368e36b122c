namespace FlowMesh.Workflows.Source;

public sealed class SequenceNode(SourceMark mark, IReadOnlyList<SourceNode> items) : SourceNode(mark)
{
    public IReadOnlyList<SourceNode> Items { get; } = items;

    public override string KindName => "list";
}
