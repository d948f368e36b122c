using System.Text.Json.Nodes;

namespace FlowMesh.Engine.Scheduling;

/// <summary>What a task's spec says about where and when it runs, read once.</summary>
/// <param name="Priority">From <c>priority</c>: -100 to 100, higher first within its tenant; 0 when not given.</param>
/// <param name="Selector">From <c>nodeSelector</c>: labels a node must carry, with these values.</param>
/// <param name="Model">The model the task loads (<c>model.source.identifier</c>): a node holding it warm is preferred.</param>
internal sealed record TaskPlacement(int Priority, IReadOnlyDictionary<string, string>? Selector, string? Model)
{
    public static TaskPlacement None { get; } = new(0, null, null);

    /// <summary>Equal for tasks with the same selector: part of the key under which a pass remembers what did not fit.</summary>
    public string SelectorKey { get; } = Selector is null ? string.Empty : string.Join('\n', Selector.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}"));

    public static TaskPlacement Of(JsonObject spec)
    {
        // A parsed spec holds CLR numbers (long or double), a reloaded one JSON elements: read the number from its text.
        var priority = spec["priority"] is JsonValue p && double.TryParse(p.ToJsonString(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var number)
            ? (int)Math.Clamp(number, -100, 100)
            : 0;
        Dictionary<string, string>? selector = null;
        if (spec["nodeSelector"] is JsonObject labels)
        {
            selector = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, value) in labels)
            {
                selector[key] = value is JsonValue v && v.TryGetValue<string>(out var text) ? text : value?.ToJsonString() ?? string.Empty;
            }
        }

        var model = spec["model"] is JsonObject m && m["source"] is JsonObject src && src["identifier"] is JsonValue id && id.TryGetValue<string>(out var name) ? name : null;
        return priority == 0 && selector is null && model is null ? None : new TaskPlacement(priority, selector, model);
    }

    /// <summary>Why <paramref name="labels"/> do not satisfy the selector, or null when they do.</summary>
    public string? Mismatch(IReadOnlyDictionary<string, string>? labels)
    {
        if (Selector is null)
        {
            return null;
        }

        foreach (var (key, value) in Selector)
        {
            if (labels is null || !labels.TryGetValue(key, out var has))
            {
                return $"has no label {key}";
            }

            if (!string.Equals(has, value, StringComparison.Ordinal))
            {
                return $"has label {key}={has}, not {value}";
            }
        }

        return null;
    }
}
