namespace FlowMesh.Workflows.Source;

/// <summary>One problem found in a workflow file: where, which field, what was expected and what was found.</summary>
public sealed record Diagnostic(string File, SourceMark Mark, string FieldPath, string Message, string? Expected = null, string? Found = null)
{
    public override string ToString()
    {
        var where = Mark.Line == 0 ? File : $"{File}:{Mark.Line}:{Mark.Column}";
        var field = string.IsNullOrEmpty(FieldPath) ? string.Empty : $" {FieldPath}:";
        var detail = Expected is null ? string.Empty : $" (expected {Expected}{(Found is null ? string.Empty : $", found {Found}")})";
        return $"{where}: error:{field} {Message}{detail}";
    }
}
