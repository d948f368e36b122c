namespace FlowMesh.Engine.Secrets;

/// <summary>Replaces the secret values a task was given wherever they show up in what it prints or returns.</summary>
internal static class SecretRedaction
{
    public const string Marker = "[redacted]";

    /// <summary>Replaces every value (longest first, so a value containing another goes whole) with <see cref="Marker"/>.</summary>
    public static string Apply(string text, IReadOnlyList<string> values)
    {
        foreach (var value in values)
        {
            text = text.Replace(value, Marker, StringComparison.Ordinal);
        }

        return text;
    }
}
