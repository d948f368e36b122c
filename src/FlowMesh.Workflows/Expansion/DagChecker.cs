using FlowMesh.Workflows.Schema;
using FlowMesh.Workflows.Source;

namespace FlowMesh.Workflows.Expansion;

/// <summary>Graph rules: unique names, known dependencies, no self-edges, no cycles, references only to upstream tasks.</summary>
internal sealed class DagChecker(IReadOnlyList<TaskEntry> entries, DiagnosticBag bag)
{
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
    private readonly List<int>[] _deps = [.. entries.Select(_ => new List<int>())];

    public bool Acyclic { get; private set; }

    public IReadOnlyList<IReadOnlyList<string>> CheckEdges()
    {
        for (var i = 0; i < entries.Count; i++)
        {
            if (!_index.TryAdd(entries[i].Name, i))
            {
                var first = entries[_index[entries[i].Name]];
                bag.Add(entries[i].NameNode, $"{entries[i].Path[..^5]}.name",
                    $"duplicate task name '{entries[i].Name}' (first used at line {first.NameNode.Mark.Line})", "a unique name");
            }
        }

        var names = new List<IReadOnlyList<string>>(entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var list = new List<string>();
            foreach (var (dep, node) in entry.DependsOn)
            {
                if (!seen.Add(dep))
                {
                    continue;
                }

                if (dep == entry.Name)
                {
                    bag.Add(node, DepPath(entry), $"task '{entry.Name}' depends on itself", "names of other tasks");
                }
                else if (!_index.TryGetValue(dep, out var j))
                {
                    bag.Add(node, DepPath(entry), $"unknown dependency '{dep}'", $"one of {Known()}", $"'{dep}'");
                }
                else
                {
                    _deps[i].Add(j);
                    list.Add(dep);
                }
            }

            names.Add(list);
        }

        Acyclic = FindCycle();
        return names;
    }

    public void CheckCondition(TaskEntry entry, TaskCondition condition, SourceNode at)
    {
        if (!entry.DependsOn.Any(d => d.Name == condition.Node))
        {
            bag.Add(at, $"{entry.Path}.condition.node", $"condition.node '{condition.Node}' must appear in dependsOn",
                $"one of [{string.Join(", ", entry.DependsOn.Select(d => d.Name))}]", $"'{condition.Node}'");
        }
    }

    public void CheckReferences(int taskIndex, IEnumerable<SpecReference> references)
    {
        var entry = entries[taskIndex];
        HashSet<int>? ancestors = null;
        foreach (var reference in references)
        {
            if (!_index.TryGetValue(reference.Target, out var target))
            {
                if (!reference.IsTemplate)
                {
                    bag.Add(reference.At, reference.FieldPath, $"reference to unknown task '{reference.Target}'", $"one of {Known()}", $"'{reference.Target}'");
                }

                continue;
            }

            if (target == taskIndex)
            {
                bag.Add(reference.At, reference.FieldPath, $"task '{entry.Name}' cannot read its own result");
                continue;
            }

            if (!Acyclic || _deps[taskIndex].Contains(target))
            {
                continue;
            }

            ancestors ??= Ancestors(taskIndex);
            if (!ancestors.Contains(target))
            {
                bag.Add(reference.At, reference.FieldPath,
                    $"reads the result of '{reference.Target}', which is not upstream of '{entry.Name}'", $"'{reference.Target}' in dependsOn");
            }
        }
    }

    private HashSet<int> Ancestors(int start)
    {
        var seen = new HashSet<int>();
        var stack = new Stack<int>(_deps[start]);
        while (stack.Count > 0)
        {
            var n = stack.Pop();
            if (seen.Add(n))
            {
                foreach (var d in _deps[n])
                {
                    stack.Push(d);
                }
            }
        }

        return seen;
    }

    /// <summary>Kahn's algorithm; whatever remains lies on or behind a cycle, which is then walked to report its path.</summary>
    private bool FindCycle()
    {
        var n = entries.Count;
        var pending = new int[n];
        var dependents = new List<int>[n];
        for (var i = 0; i < n; i++)
        {
            dependents[i] = [];
        }

        for (var i = 0; i < n; i++)
        {
            pending[i] = _deps[i].Count;
            foreach (var d in _deps[i])
            {
                dependents[d].Add(i);
            }
        }

        var queue = new Queue<int>(Enumerable.Range(0, n).Where(i => pending[i] == 0));
        var done = 0;
        while (queue.Count > 0)
        {
            var t = queue.Dequeue();
            done++;
            foreach (var d in dependents[t])
            {
                if (--pending[d] == 0)
                {
                    queue.Enqueue(d);
                }
            }
        }

        if (done == n)
        {
            return true;
        }

        var reported = new HashSet<int>();
        for (var start = 0; start < n; start++)
        {
            if (pending[start] == 0 || reported.Contains(start))
            {
                continue;
            }

            // Every remaining task still waits on a remaining dependency, so following them must revisit a task.
            var order = new List<int>();
            var position = new Dictionary<int, int>();
            var current = start;
            while (!position.ContainsKey(current))
            {
                position[current] = order.Count;
                order.Add(current);
                current = _deps[current].First(d => pending[d] > 0);
            }

            var cycle = order.Skip(position[current]).ToList();
            if (cycle.Any(reported.Contains))
            {
                foreach (var c in order)
                {
                    reported.Add(c);
                }

                continue;
            }

            foreach (var c in order)
            {
                reported.Add(c);
            }

            // Walked along "depends on"; report in run order: a -> b means b depends on a.
            cycle.Reverse();
            var lead = cycle.IndexOf(cycle.Min());
            cycle = [.. cycle.Skip(lead), .. cycle.Take(lead)];
            var path = string.Join(" -> ", cycle.Append(cycle[0]).Select(i => entries[i].Name));
            var head = entries[cycle[0]];
            var at = head.DependsOn.FirstOrDefault(d => d.Name == entries[cycle[^1]].Name).Node ?? head.NameNode;
            bag.Add(at, DepPath(head), $"dependency cycle: {path}", "an acyclic graph");
        }

        return false;
    }

    private static string DepPath(TaskEntry entry) => entry.Path == "spec" ? "spec.dependsOn" : $"{entry.Path[..^5]}.dependsOn";

    private string Known()
    {
        var names = _index.Keys.Take(20).ToList();
        return $"[{string.Join(", ", names)}{(_index.Count > 20 ? ", ..." : string.Empty)}]";
    }
}
