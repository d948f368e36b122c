using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace FlowMesh.Workflows.Source;

/// <summary>
/// Reads YAML into a <see cref="SourceNode"/> tree from the parser's event stream, without recursion, so deep nesting
/// becomes an error rather than a stack overflow.
/// </summary>
internal static class YamlSourceReader
{
    private const string StrTag = "tag:yaml.org,2002:str";

    public static SourceNode? Read(string text, DiagnosticBag diagnostics)
    {
        var parser = new Parser(new StringReader(text));
        var anchors = new Dictionary<string, (SourceNode Node, int Weight)>(StringComparer.Ordinal);
        var stack = new Stack<Frame>();
        SourceNode? root = null;
        var documents = 0;
        var totalWeight = 0;
        try
        {
            while (parser.MoveNext())
            {
                var ev = parser.Current!;
                switch (ev)
                {
                    case DocumentStart:
                        documents++;
                        if (documents > 1)
                        {
                            diagnostics.Add(Mark(ev.Start), string.Empty, "a workflow file holds one YAML document", "one document", "several");
                            return null;
                        }

                        break;
                    case MappingStart ms:
                        if (!Push(stack, new Frame(true, Mark(ms.Start), AnchorOf(ms.Anchor)), diagnostics))
                        {
                            return null;
                        }

                        break;
                    case SequenceStart ss:
                        if (!Push(stack, new Frame(false, Mark(ss.Start), AnchorOf(ss.Anchor)), diagnostics))
                        {
                            return null;
                        }

                        break;
                    case Scalar sc:
                        {
                            var kind = sc.Style == ScalarStyle.Plain && (sc.Tag.IsEmpty || sc.Tag.Value != StrTag)
                                ? ScalarNode.ResolvePlain(sc.Value)
                                : ScalarKind.String;
                            var node = new ScalarNode(Mark(sc.Start), sc.Value, kind);
                            if (!Complete(node, 1, AnchorOf(sc.Anchor)))
                            {
                                return null;
                            }

                            break;
                        }

                    case MappingEnd or SequenceEnd:
                        {
                            var frame = stack.Pop();
                            SourceNode node = frame.IsMapping
                                ? new MappingNode(frame.Mark, frame.Entries)
                                : new SequenceNode(frame.Mark, frame.Items);
                            if (!Complete(node, frame.Weight + 1, frame.Anchor))
                            {
                                return null;
                            }

                            break;
                        }

                    case AnchorAlias alias:
                        if (!anchors.TryGetValue(alias.Value.Value, out var target))
                        {
                            diagnostics.Add(Mark(alias.Start), string.Empty, $"unknown alias '*{alias.Value.Value}'");
                            return null;
                        }

                        if (!Complete(target.Node, target.Weight, null))
                        {
                            return null;
                        }

                        break;
                }
            }
        }
        catch (YamlException ex)
        {
            diagnostics.Add(Mark(ex.Start), string.Empty, $"malformed YAML: {Clean(ex.Message)}");
            return null;
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or IndexOutOfRangeException or FormatException or OverflowException)
        {
            // The YAML scanner has a few inputs it fails on without a YamlException; they are still bad input, not a crash.
            var at = parser.Current is { } current ? Mark(current.End) : new SourceMark(1, 1);
            diagnostics.Add(at, string.Empty, $"malformed YAML near here (the YAML reader stopped: {ex.Message})");
            return null;
        }

        if (root is null)
        {
            diagnostics.Add(new SourceMark(1, 1), string.Empty, "the file is empty", "a workflow mapping", "nothing");
        }

        return root;

        bool Complete(SourceNode node, int weight, string? anchor)
        {
            totalWeight += weight;
            if (totalWeight > SourceLimits.MaxNodes)
            {
                diagnostics.Add(node.Mark, string.Empty, $"the document expands to more than {SourceLimits.MaxNodes} nodes");
                return false;
            }

            if (anchor is not null)
            {
                anchors[anchor] = (node, weight);
            }

            if (stack.Count == 0)
            {
                root = node;
                return true;
            }

            var parent = stack.Peek();
            parent.Weight += weight;
            if (!parent.IsMapping)
            {
                parent.Items.Add(node);
            }
            else if (parent.PendingKey is null)
            {
                if (node is not ScalarNode key)
                {
                    diagnostics.Add(node.Mark, string.Empty, "mapping keys must be plain values", "a scalar key", node.KindName);
                    return false;
                }

                if (parent.Keys.Contains(key.Text))
                {
                    diagnostics.Add(key.Mark, string.Empty, $"duplicate key '{key.Text}'");
                }

                parent.Keys.Add(key.Text);
                parent.PendingKey = key;
            }
            else
            {
                parent.Entries.Add(new(parent.PendingKey, node));
                parent.PendingKey = null;
            }

            return true;
        }
    }

    private static bool Push(Stack<Frame> stack, Frame frame, DiagnosticBag diagnostics)
    {
        if (stack.Count >= SourceLimits.MaxDepth)
        {
            diagnostics.Add(frame.Mark, string.Empty, $"nesting deeper than {SourceLimits.MaxDepth} levels");
            return false;
        }

        stack.Push(frame);
        return true;
    }

    private static string? AnchorOf(AnchorName anchor) => anchor.IsEmpty ? null : anchor.Value;

    private static SourceMark Mark(Mark mark) => new((int)Math.Max(1, mark.Line), (int)Math.Max(1, mark.Column));

    private static string Clean(string message)
    {
        // YamlDotNet prefixes "(Line: x, Col: y, Idx: z) - (Line..): "; the mark is reported separately.
        var i = message.LastIndexOf("): ", StringComparison.Ordinal);
        return i >= 0 ? message[(i + 3)..] : message;
    }

    private sealed class Frame(bool isMapping, SourceMark mark, string? anchor)
    {
        public bool IsMapping { get; } = isMapping;

        public SourceMark Mark { get; } = mark;

        public string? Anchor { get; } = anchor;

        public List<SourceNode> Items { get; } = [];

        public List<KeyValuePair<ScalarNode, SourceNode>> Entries { get; } = [];

        public HashSet<string> Keys { get; } = new(StringComparer.Ordinal);

        public ScalarNode? PendingKey { get; set; }

        public int Weight { get; set; }
    }
}
