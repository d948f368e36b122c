using FlowMesh.Workflows.Source;

namespace FlowMesh.Workflows.Schema;

/// <summary>A place in a spec that reads another task's result: <c>{node, path}</c>, <c>${stage.path}</c> or an input stage.</summary>
internal sealed record SpecReference(string Target, SourceNode At, string FieldPath)
{
    /// <summary>A <c>${name.path}</c> string; when the name is no task it is an environment placeholder, not an error.</summary>
    public bool IsTemplate { get; init; }
}
