using System.Globalization;
using System.Text.RegularExpressions;

namespace FlowMesh.Workflows.Schema;

/// <summary>Parses resource quantities: memory like <c>16Gi</c>, <c>16GiB</c>, <c>512Mi</c>, <c>24GB</c>; CPU like <c>2</c> or <c>500m</c>.</summary>
public static partial class Quantities
{
    public static bool TryParseBytes(string text, out long bytes)
    {
        bytes = 0;
        var m = MemoryPattern().Match(text.Trim());
        if (!m.Success || !double.TryParse(m.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            return false;
        }

        double factor = m.Groups[2].Value.ToUpperInvariant() switch
        {
            "" or "B" => 1,
            "KI" or "KIB" => 1L << 10,
            "MI" or "MIB" => 1L << 20,
            "GI" or "GIB" => 1L << 30,
            "TI" or "TIB" => 1L << 40,
            "K" or "KB" => 1e3,
            "M" or "MB" => 1e6,
            "G" or "GB" => 1e9,
            "T" or "TB" => 1e12,
            _ => -1,
        };
        var result = value * factor;
        if (factor < 0 || result > long.MaxValue / 2 || result < 0)
        {
            return false;
        }

        bytes = (long)result;
        return true;
    }

    public static bool TryParseCpuMillis(string text, out long millis)
    {
        millis = 0;
        text = text.Trim();
        var milli = text.EndsWith('m');
        if (milli)
        {
            text = text[..^1];
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < 0 || value > 1_000_000)
        {
            return false;
        }

        millis = milli ? (long)value : (long)(value * 1000);
        return true;
    }

    public static string FormatBytes(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):0.#}Gi",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):0.#}Mi",
        _ => $"{bytes}B",
    };

    [GeneratedRegex(@"^([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]{0,3})$")]
    private static partial Regex MemoryPattern();
}
