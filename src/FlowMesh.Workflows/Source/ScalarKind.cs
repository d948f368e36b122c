namespace FlowMesh.Workflows.Source;

/// <summary>The resolved type of a scalar (YAML core schema for plain scalars; quoted scalars are strings).</summary>
public enum ScalarKind
{
    Null,
    Bool,
    Int,
    Float,
    String,
}
