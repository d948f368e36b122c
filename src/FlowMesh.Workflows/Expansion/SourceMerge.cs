using FlowMesh.Workflows.Source;

namespace FlowMesh.Workflows.Expansion;

/// <summary>Deep merge of two mappings: the second mapping wins, nested mappings merge, lists replace.</summary>
internal static class SourceMerge
{
    public static MappingNode Merge(MappingNode baseMap, MappingNode over)
    {
        var entries = new List<KeyValuePair<ScalarNode, SourceNode>>(baseMap.Entries.Count + over.Entries.Count);
        foreach (var (key, value) in baseMap.Entries)
        {
            if (over.TryGet(key.Text, out var overValue))
            {
                entries.Add(new(over.KeyNode(key.Text)!, value is MappingNode bm && overValue is MappingNode om ? Merge(bm, om) : overValue));
            }
            else
            {
                entries.Add(new(key, value));
            }
        }

        foreach (var (key, value) in over.Entries)
        {
            if (!baseMap.TryGet(key.Text, out _))
            {
                entries.Add(new(key, value));
            }
        }

        return new MappingNode(over.Mark, entries);
    }

    public static MappingNode Without(MappingNode map, params string[] keys) =>
        new(map.Mark, [.. map.Entries.Where(e => !keys.Contains(e.Key.Text, StringComparer.Ordinal))]);
}
