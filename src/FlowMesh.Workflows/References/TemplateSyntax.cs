using System.Text.RegularExpressions;

namespace FlowMesh.Workflows.References;

/// <summary>The <c>${stage.path}</c> syntax, shared by validation and by resolution at dispatch.</summary>
public static partial class TemplateSyntax
{
    [GeneratedRegex(@"\$\{([^}]+)\}")]
    public static partial Regex Pattern();
}
