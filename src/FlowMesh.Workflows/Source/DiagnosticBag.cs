namespace FlowMesh.Workflows.Source;

/// <summary>Collects every error of a file (not just the first), with a cap so a hostile file cannot flood memory.</summary>
public sealed class DiagnosticBag(string file)
{
    public const int MaxDiagnostics = 200;

    private readonly List<Diagnostic> _items = [];

    public string File { get; } = file;

    public IReadOnlyList<Diagnostic> Items => _items;

    public bool HasErrors => _items.Count > 0;

    public bool Truncated { get; private set; }

    public void Add(SourceMark mark, string path, string message, string? expected = null, string? found = null)
    {
        if (_items.Count >= MaxDiagnostics)
        {
            Truncated = true;
            return;
        }

        _items.Add(new Diagnostic(File, mark, path, message, expected, found));
    }

    public void Add(SourceNode? node, string path, string message, string? expected = null, string? found = null) =>
        Add(node?.Mark ?? SourceMark.None, path, message, expected, found);
}
