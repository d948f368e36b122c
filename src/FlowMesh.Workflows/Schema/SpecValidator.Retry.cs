using FlowMesh.Workflows.Source;

namespace FlowMesh.Workflows.Schema;

internal sealed partial class SpecValidator
{
    /// <summary>
    /// Retries of a failed attempt (a FlowMesh .NET addition; set it on the root spec to make it every task's default):
    /// how many attempts in all, the first backoff, its cap, and whether to jitter it.
    /// </summary>
    private void CheckRetry(SourceNode node, string path)
    {
        if (Mapping(node, path) is not { } retry)
        {
            return;
        }

        Keys(retry, path, "retry", "maxAttempts", "backoffSeconds", "maxBackoffSeconds", "jitter");
        Range(retry["maxAttempts"], $"{path}.maxAttempts", 1, 20, integer: true);
        Range(retry["backoffSeconds"], $"{path}.backoffSeconds", 0, 3600, integer: false);
        Range(retry["maxBackoffSeconds"], $"{path}.maxBackoffSeconds", 0, 86400, integer: false);
        if (retry["jitter"] is { } jitter)
        {
            Bool(jitter, $"{path}.jitter");
        }
    }

    private void Range(SourceNode? node, string path, double min, double max, bool integer)
    {
        if (node is null)
        {
            return;
        }

        if (node is not ScalarNode s || !s.TryGetDouble(out var value) || value < min || value > max || (integer && value != Math.Floor(value)))
        {
            var what = integer ? "a whole number" : "a number";
            bag.Add(node, path, $"{path[(path.LastIndexOf('.') + 1)..]} must be {what} in [{min}, {max}]", $"{what} in [{min}, {max}]", node is ScalarNode t ? t.Text : node.KindName);
        }
    }
}
