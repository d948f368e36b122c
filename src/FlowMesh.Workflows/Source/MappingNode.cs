namespace FlowMesh.Workflows.Source;

public sealed class MappingNode(SourceMark mark, IReadOnlyList<KeyValuePair<ScalarNode, SourceNode>> entries) : SourceNode(mark)
{
    private Dictionary<string, int>? _index;

    public IReadOnlyList<KeyValuePair<ScalarNode, SourceNode>> Entries { get; } = entries;

    public override string KindName => "mapping";

    public IEnumerable<string> Keys => Entries.Select(e => e.Key.Text);

    public SourceNode? this[string key] => TryGet(key, out var value) ? value : null;

    public bool TryGet(string key, out SourceNode value)
    {
        _index ??= BuildIndex();
        if (_index.TryGetValue(key, out var i))
        {
            value = Entries[i].Value;
            return true;
        }

        value = null!;
        return false;
    }

    public ScalarNode? KeyNode(string key)
    {
        _index ??= BuildIndex();
        return _index.TryGetValue(key, out var i) ? Entries[i].Key : null;
    }

    private Dictionary<string, int> BuildIndex()
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < Entries.Count; i++)
        {
            // Duplicate keys are reported by the reader; the last one wins, as in PyYAML.
            index[Entries[i].Key.Text] = i;
        }

        return index;
    }
}
