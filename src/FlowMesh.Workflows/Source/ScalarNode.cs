using System.Globalization;

namespace FlowMesh.Workflows.Source;

public sealed class ScalarNode(SourceMark mark, string text, ScalarKind kind) : SourceNode(mark)
{
    public string Text { get; } = text;

    public ScalarKind Kind { get; } = kind;

    public override string KindName => Kind switch
    {
        ScalarKind.Null => "null",
        ScalarKind.Bool => "boolean",
        ScalarKind.Int => "integer",
        ScalarKind.Float => "number",
        _ => "string",
    };

    public bool IsNull => Kind == ScalarKind.Null;

    public bool TryGetLong(out long value)
    {
        value = 0;
        return Kind == ScalarKind.Int && long.TryParse(Text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value);
    }

    public bool TryGetDouble(out double value)
    {
        value = 0;
        return Kind is ScalarKind.Int or ScalarKind.Float
            && double.TryParse(Text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>Resolves a YAML plain scalar with the YAML 1.2 core schema.</summary>
    public static ScalarKind ResolvePlain(string text)
    {
        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return ScalarKind.Null;
            case "true" or "True" or "TRUE" or "false" or "False" or "FALSE":
                return ScalarKind.Bool;
            case ".inf" or ".Inf" or ".INF" or "+.inf" or "-.inf" or ".nan" or ".NaN" or ".NAN":
                return ScalarKind.Float;
        }

        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
        {
            return ScalarKind.Int;
        }

        if (text.Length > 0 && (char.IsAsciiDigit(text[0]) || text[0] is '-' or '+' or '.')
            && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
        {
            return ScalarKind.Float;
        }

        return ScalarKind.String;
    }
}
