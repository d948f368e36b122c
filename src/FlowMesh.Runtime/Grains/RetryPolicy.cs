using System.Globalization;
using System.Text.Json.Nodes;

namespace FlowMesh.Runtime.Grains;

/// <summary>
/// A task's <c>retry: {maxAttempts, backoffSeconds, maxBackoffSeconds, jitter}</c>: backoff × 2^(attempt−1), capped,
/// then jittered to between half and all of it, so tasks that failed together do not all retry in the same instant.
/// </summary>
internal sealed record RetryPolicy(int MaxAttempts, double BackoffSeconds, double MaxBackoffSeconds, bool Jitter)
{
    public static RetryPolicy? From(string specJson) =>
        JsonNode.Parse(specJson) is JsonObject spec && spec["retry"] is JsonObject p && Number(p["maxAttempts"]) is { } max
            ? new RetryPolicy((int)max, Number(p["backoffSeconds"]) ?? 1, Number(p["maxBackoffSeconds"]) ?? 300, p["jitter"] is not JsonValue j || !j.TryGetValue<bool>(out var jitter) || jitter)
            : null;

    public bool Allows(int attemptsMade) => attemptsMade < MaxAttempts;

    public TimeSpan Delay(int attemptsMade)
    {
        var delay = Math.Min(MaxBackoffSeconds, BackoffSeconds * Math.Pow(2, attemptsMade - 1));
        if (Jitter)
        {
            delay = (delay / 2) + (Random.Shared.NextDouble() * delay / 2);
        }

        return TimeSpan.FromSeconds(delay);
    }

    public static string Reason(int next, int max, TimeSpan delay, string? error) =>
        string.Create(CultureInfo.InvariantCulture, $"retry {next}/{max} in {delay.TotalSeconds:0.###} s after: {error}");

    private static double? Number(JsonNode? node) =>
        node is JsonValue v && double.TryParse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null;
}
