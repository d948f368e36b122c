using System.Text;

namespace FlowMesh.Workflows.Source;

/// <summary>Entry point for turning workflow text (YAML or JSON) into a positioned tree.</summary>
public static class SourceDocument
{
    public static SourceNode? Parse(string text, DiagnosticBag diagnostics)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(diagnostics);
        if (Encoding.UTF8.GetByteCount(text) > SourceLimits.MaxBytes)
        {
            diagnostics.Add(new SourceMark(1, 1), string.Empty, $"the file is larger than {SourceLimits.MaxBytes / (1024 * 1024)} MiB");
            return null;
        }

        if (text.Contains('\0', StringComparison.Ordinal))
        {
            var offset = text.IndexOf('\0', StringComparison.Ordinal);
            var line = 1 + text.AsSpan(0, offset).Count('\n');
            diagnostics.Add(new SourceMark(line, 1), string.Empty, "the file contains a NUL byte; workflow files are text");
            return null;
        }

        var trimmed = text.AsSpan().TrimStart();
        if (trimmed.Length > 0 && trimmed[0] == '\uFEFF')
        {
            trimmed = trimmed[1..].TrimStart();
        }

        return trimmed.Length > 0 && trimmed[0] is '{' or '['
            ? JsonSourceReader.Read(text, diagnostics)
            : YamlSourceReader.Read(text, diagnostics);
    }
}
