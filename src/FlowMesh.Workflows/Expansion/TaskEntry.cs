using FlowMesh.Workflows.Source;

namespace FlowMesh.Workflows.Expansion;

/// <summary>A stage, graph node or single task before validation, with the source nodes errors point at.</summary>
internal sealed record TaskEntry(string Name, SourceNode NameNode, IReadOnlyList<(string Name, SourceNode Node)> DependsOn, MappingNode Spec, string Path);
