using System.Text;

namespace FlowMesh.Bench;

/// <summary>
/// A scenario's workflows as FlowMesh JSON text (what a user submits), every task a no-op echo, so what is timed is the
/// fabric: parse, store, schedule, dispatch to the node, execute, report, commit.
/// </summary>
internal sealed record Workload(string Name, IReadOnlyList<string> Workflows, int TasksPerWorkflow, bool IsChain)
{
    public int TotalTasks => Workflows.Count * TasksPerWorkflow;

    public static Workload Chain(int length) => new($"chain_{length}", [ChainText("chain", length)], length, IsChain: true);

    /// <summary>
    /// <paramref name="total"/> tasks: one root, total − 2 parallel tasks that wait for it, and one sink that waits for them
    /// all (without <paramref name="sink"/>: total − 1 parallel tasks). Nodes inherit the graph's echo spec, which keeps a
    /// 100,000-task file under the parser's 4 MiB limit.
    /// </summary>
    public static Workload Fanout(int total, bool sink = true)
    {
        var width = total - (sink ? 2 : 1);
        var json = new StringBuilder(width * 48);
        json.Append("""{"apiVersion":"flowmesh/v1","kind":"EchoTask","metadata":{"name":"fanout"},"spec":{"taskType":"echo","data":{"type":"list","items":["x"]},"graph":{"nodes":[{"name":"r"}""");
        for (var i = 0; i < width; i++)
        {
            json.Append(",{\"name\":\"w").Append(i).Append("\",\"dependsOn\":[\"r\"]}");
        }

        if (sink)
        {
            json.Append(",{\"name\":\"sink\",\"dependsOn\":[");
            for (var i = 0; i < width; i++)
            {
                json.Append(i == 0 ? "\"w" : ",\"w").Append(i).Append('"');
            }

            json.Append("]}");
        }

        json.Append("]}}}");
        return new Workload(sink ? $"fanout_{total}" : $"huge_{total}", [json.ToString()], total, IsChain: false);
    }

    /// <summary><paramref name="count"/> workflows of <paramref name="length"/>-task chains, submitted at once.</summary>
    public static Workload Many(int count, int length) =>
        new($"many_{count}x{length}", [.. Enumerable.Range(0, count).Select(i => ChainText($"many-{i}", length))], length, IsChain: true);

    private static string ChainText(string name, int length)
    {
        var json = new StringBuilder(length * 80);
        json.Append("{\"apiVersion\":\"flowmesh/v1\",\"kind\":\"Workflow\",\"metadata\":{\"name\":\"").Append(name).Append("\"},\"spec\":{\"stages\":[");
        for (var i = 0; i < length; i++)
        {
            json.Append(i == 0 ? "" : ",").Append("{\"name\":\"s").Append(i).Append("\",\"spec\":{\"taskType\":\"echo\",\"data\":{\"type\":\"list\",\"items\":[\"x\"]}}}");
        }

        return json.Append("]}}").ToString();
    }
}
