using System.Text;
using System.Text.Json;

namespace FlowMesh.Workflows.Source;

/// <summary>Reads JSON into a <see cref="SourceNode"/> tree with line and column for every node.</summary>
internal static class JsonSourceReader
{
    public static SourceNode? Read(string text, DiagnosticBag diagnostics)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var lineStarts = new List<int> { 0 };
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'\n')
            {
                lineStarts.Add(i + 1);
            }
        }

        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions
        {
            MaxDepth = SourceLimits.MaxDepth,
            CommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
        });
        var stack = new Stack<Frame>();
        SourceNode? root = null;
        var count = 0;
        try
        {
            while (reader.Read())
            {
                var mark = MarkAt(lineStarts, (int)reader.TokenStartIndex);
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        stack.Push(new Frame(true, mark));
                        break;
                    case JsonTokenType.StartArray:
                        stack.Push(new Frame(false, mark));
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        {
                            var frame = stack.Pop();
                            Complete(frame.IsMapping ? new MappingNode(frame.Mark, frame.Entries) : new SequenceNode(frame.Mark, frame.Items));
                            break;
                        }

                    case JsonTokenType.PropertyName:
                        {
                            var frame = stack.Peek();
                            var key = new ScalarNode(mark, reader.GetString()!, ScalarKind.String);
                            if (!frame.Keys.Add(key.Text))
                            {
                                diagnostics.Add(mark, string.Empty, $"duplicate key '{key.Text}'");
                            }

                            frame.PendingKey = key;
                            break;
                        }

                    case JsonTokenType.String:
                        Complete(new ScalarNode(mark, reader.GetString()!, ScalarKind.String));
                        break;
                    case JsonTokenType.Number:
                        {
                            var raw = Encoding.UTF8.GetString(reader.ValueSpan);
                            Complete(new ScalarNode(mark, raw, reader.TryGetInt64(out _) ? ScalarKind.Int : ScalarKind.Float));
                            break;
                        }

                    case JsonTokenType.True or JsonTokenType.False:
                        Complete(new ScalarNode(mark, reader.TokenType == JsonTokenType.True ? "true" : "false", ScalarKind.Bool));
                        break;
                    case JsonTokenType.Null:
                        Complete(new ScalarNode(mark, "null", ScalarKind.Null));
                        break;
                }

                if (++count > SourceLimits.MaxNodes)
                {
                    diagnostics.Add(mark, string.Empty, $"the document has more than {SourceLimits.MaxNodes} nodes");
                    return null;
                }
            }
        }
        catch (JsonException ex)
        {
            var line = (int)(ex.LineNumber ?? 0) + 1;
            var column = (int)(ex.BytePositionInLine ?? 0) + 1;
            diagnostics.Add(new SourceMark(line, column), string.Empty, $"malformed JSON: {Clean(ex.Message)}");
            return null;
        }

        return root;

        void Complete(SourceNode node)
        {
            if (stack.Count == 0)
            {
                root = node;
                return;
            }

            var parent = stack.Peek();
            if (parent.IsMapping)
            {
                parent.Entries.Add(new(parent.PendingKey!, node));
                parent.PendingKey = null;
            }
            else
            {
                parent.Items.Add(node);
            }
        }
    }

    private static SourceMark MarkAt(List<int> lineStarts, int offset)
    {
        var index = lineStarts.BinarySearch(offset);
        if (index < 0)
        {
            index = ~index - 1;
        }

        return new SourceMark(index + 1, offset - lineStarts[index] + 1);
    }

    private static string Clean(string message)
    {
        var i = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (i >= 0 ? message[..i] : message).TrimEnd('.', ' ') + ".";
    }

    private sealed class Frame(bool isMapping, SourceMark mark)
    {
        public bool IsMapping { get; } = isMapping;

        public SourceMark Mark { get; } = mark;

        public List<SourceNode> Items { get; } = [];

        public List<KeyValuePair<ScalarNode, SourceNode>> Entries { get; } = [];

        public HashSet<string> Keys { get; } = new(StringComparer.Ordinal);

        public ScalarNode? PendingKey { get; set; }
    }
}
